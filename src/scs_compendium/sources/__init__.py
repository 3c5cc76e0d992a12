"""Where the data come from: the data package (:mod:`.datapackage`), one loader per table
(:mod:`.tables`), and Google Trends snapshots (:mod:`.google_trends`)."""
