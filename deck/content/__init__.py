"""What the deck is about, as plain data and numpy: the model and its figures, the
attention arithmetic, published figures with their sources. Nothing here imports manim."""
