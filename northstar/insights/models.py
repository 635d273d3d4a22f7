"""Reporting data kept alongside the OKRs: one progress figure per objective per day."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from northstar.okrs.models import Objective


class ProgressSnapshot(models.Model):
    """An objective's progress as of a day, for the progress-over-the-cycle chart.

    Written by `snapshots.record` whenever the roll-up refreshes the objective; a later
    refresh of the same day overwrites the row, so the last word of each day stays."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    progress = models.FloatField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["objective", "day"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "day"], name="snapshot_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.objective_id} on {self.day}: {self.progress}"
