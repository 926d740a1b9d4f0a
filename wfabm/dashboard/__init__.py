"""The policy workshop dashboard: a Solara app over :class:`wfabm.model.workforce.WorkforceModel`.

The model knows nothing of this package. ``wfabm dashboard`` serves :mod:`.app`; the other
modules hold what the app shows, without Solara, so they are tested on their own:

* :mod:`.levers`: the levers in plain language, presets, and turning them into a config;
* :mod:`.measures`: the measures the views draw, from the model's recorded stocks and flows;
* :mod:`.simulation`: one browser session's model, stepped month by month;
* :mod:`.workshop`: one browser session's levers, run state and comparison;
* :mod:`.replicates`: levers against the baseline over a few seeds, in worker processes;
* :mod:`.charts`: the plotly figures;
* :mod:`.assets` and :mod:`.server`: Solara's browser files for offline use, and the server;
* :mod:`.cdn`: those files served read-only; :mod:`.memory`: closed sessions' memory returned.
"""
