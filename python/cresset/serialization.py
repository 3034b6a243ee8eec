"""cresset.save / cresset.load: the safe checkpoint format, torch .pt reading, safetensors."""
