"""What people see: the figure style (:mod:`.style`), formatting (:mod:`.formatting`), the claims
report (:mod:`.report`, HTML from `templates/`) and the companion paper (:mod:`.paper`)."""
