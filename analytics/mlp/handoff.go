package mlp

import (
	"runtime"
	"sync/atomic"
)

// handoff passes jobs to the helper goroutine and waits for them. A
// batch's halves take tens of microseconds, and a parked goroutine takes
// about as long to wake (the Go scheduler, then the OS, longer on a busy
// machine), which undid most of the second core's gain; so each side
// spins for a while before parking.
type handoff struct {
	job        job
	posted     signal // a job is ready
	done       signal // the helper finished it
	seenPosted uint64 // the helper's count of posted
	seenDone   uint64 // the caller's count of done
}

// spins is how long a waiter polls before parking, some 50–100µs:
// longer than a batch's imbalance, far shorter than an epoch's shuffle.
// With one P the poster could not run while the waiter spins, so it
// parks at once.
func spins() int {
	if runtime.GOMAXPROCS(0) < 2 {
		return 0
	}
	return 1 << 17
}

// send gives the helper j.
func (h *handoff) send(j job) {
	h.job = j
	h.posted.post()
}

// receive waits for the next job (for the helper).
func (h *handoff) receive(spin int) job {
	h.seenPosted = h.posted.wait(h.seenPosted, spin)
	return h.job
}

// wait waits until the helper has finished the last job sent.
func (h *handoff) wait(spin int) {
	h.seenDone = h.done.wait(h.seenDone, spin)
}

// signal wakes its one waiter: a count, and a channel for when the
// waiter has parked.
type signal struct {
	n      atomic.Uint64
	parked atomic.Bool
	wake   chan struct{} // buffered 1
}

func (s *signal) post() {
	s.n.Add(1)
	if s.parked.Load() && s.parked.CompareAndSwap(true, false) {
		s.wake <- struct{}{}
	}
}

// wait returns the count once it is no longer seen.
func (s *signal) wait(seen uint64, spin int) uint64 {
	for i := range spin {
		if v := s.n.Load(); v != seen {
			return v
		}
		if i&1023 == 1023 {
			runtime.Gosched() // let other goroutines have the P now and then
		}
	}
	s.parked.Store(true)
	if v := s.n.Load(); v != seen {
		if s.parked.CompareAndSwap(true, false) {
			return v
		}
		// post took the flag and is sending.
	}
	<-s.wake
	return s.n.Load()
}
