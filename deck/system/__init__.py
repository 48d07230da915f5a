"""What the deck needs from the operating system, for builds and exports alike: files
replaced atomically, workers that die with their parent, a named text file read."""
