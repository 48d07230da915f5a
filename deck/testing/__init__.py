"""What a slide shows, as data (layout.py) and as a picture (frames.py): mixins for the
tests and scripts/stills.py; production renders never use them."""
