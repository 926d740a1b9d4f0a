"""Calibration: simulated moments, the fit and its report."""
