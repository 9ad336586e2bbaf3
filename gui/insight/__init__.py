"""Insight panels: the engine's insights (engine/insight) shown on the page where the question arises.

Each panel is an InsightPanel: the insight's title, a paragraph on how to read it, a Compute
button that runs the engine insight as a job (so a slow one never blocks the window), and the
panel's own view of the result."""
