"""Infrastructure shared by every feature; it holds no business rule."""
