package transport

// QueuedBatches is how many batches wait for a slot of h.
func QueuedBatches(h *Handler) int64 { return h.admission().queued.Load() }
