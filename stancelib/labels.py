"""The four stance labels and what each one means."""

STANCES = ("support", "opposition", "concern", "none")

STANCE_MEANINGS = {
    "support": "The statement favours, endorses, welcomes or calls for the target.",
    "opposition": "The statement rejects, condemns or calls to stop or abandon the "
    "target.",
    "concern": "The statement voices worry about the target without rejecting or "
    "endorsing it.",
    "none": "The target is mentioned, but no stance toward it is taken.",
}
