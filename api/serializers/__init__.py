"""The API's JSON shapes, by subject (read shapes from the models; write shapes are
validated again by the pages' Django forms)."""
