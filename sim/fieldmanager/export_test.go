package fieldmanager

// Fallbacks is how many creates m recorded the upstream way.
func Fallbacks(m *Managers) int { return m.fallbacks }
