"""gqa-deck: an animated slide deck that explains Grouped-Query Attention."""
