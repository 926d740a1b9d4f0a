"""Validation: the model's runs set beside every observed figure the project holds.

:mod:`~wfabm.validation.figures` lists the figures (the calibration targets, fitted or held
out, and the held-out figures of ``wfabm/data/held_out_figures.csv``),
:mod:`~wfabm.validation.observe` reads each figure's counterpart from one run,
:mod:`~wfabm.validation.report` runs the seeds and judges each figure against its band and a
persistence forecast, and :mod:`~wfabm.validation.html` draws the report. ``wfabm validate``
is the command.
"""
