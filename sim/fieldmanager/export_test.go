package fieldmanager

// Fallbacks is how many creates m recorded the upstream way.
func Fallbacks(m *Managers) int { return m.fallbacks }

// ShapeHits is how many creates m recorded from the shapes' memo.
func ShapeHits(m *Managers) int { return m.shapeHits }
