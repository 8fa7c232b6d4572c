"""Prefect 3 orchestration of the `pipeline` library: flows, tasks, schedules and the CLI."""
