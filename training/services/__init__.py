"""Every write of the training app: keyword-only ``<entity>_<action>(*, …, actor)``."""
