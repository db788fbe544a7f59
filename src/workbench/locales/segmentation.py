"""Report text of the segmentation report (02_segmentation)."""

ENTRIES: dict[str, dict[str, str]] = {}
