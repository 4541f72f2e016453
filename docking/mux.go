package docking

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// WebSocket close codes the mothership sends clients on its own account.
const (
	// CloseGoingAway: the bay is stopping or being replaced.
	CloseGoingAway uint16 = 1001
	// ClosePolicy: the client read the bay's messages too slowly.
	ClosePolicy uint16 = 1008
	// CloseInternal: the link to the bay broke.
	CloseInternal uint16 = 1011
)

// PassengerQueue is how many of the bay's messages may wait for one client
// that reads slowly. One reader serves the whole link, so it cannot wait
// for a client: a client this far behind is closed with ClosePolicy, and
// memory stays bounded however slow the clients are.
const PassengerQueue = 256

// ErrMuxClosed is what boarding or sending gets once the link is gone.
var ErrMuxClosed = errors.New("docking: websocket link closed")

// Mux is a WebSocket bay's one link, shared by every client connection
// (passenger): Boarding, Cargo and Disembark go out under one lock, and one
// reader hands the bay's Cargo and Disembark to the passengers they name.
type Mux struct {
	link   *Link
	log    func(level, msg string, kv ...any)
	bay    string
	binary bool // the link agreed to Freight

	wmu sync.Mutex // the link's Writer

	mu         sync.Mutex
	passengers map[uint32]*Passenger
	next       uint32
	closed     bool
	code       uint16 // why the link closed, for the passengers
	reason     string
	closeOnce  sync.Once
}

func newMux(l *Link, log func(string, string, ...any), bay string) *Mux {
	return &Mux{link: l, log: log, bay: bay, binary: l.Dock.Binary, passengers: map[uint32]*Passenger{}}
}

// Message is one WebSocket message of the bay's for a client.
type Message struct {
	Data []byte
	// Binary is set for a message the bay sent as Freight; one it sent as
	// Cargo is text.
	Binary bool
}

// Passenger is one client WebSocket connection carried over a Mux.
type Passenger struct {
	// ID is the connection id the bay knows it by.
	ID uint32

	m       *Mux
	inbound chan Message
	gone    chan struct{}
	once    sync.Once
	code    uint16
	reason  string
}

// Board announces a new client connection to the docked bay, with the
// connection id it allocates in place of bd's.
func (b *Berth) Board(bd Boarding) (*Passenger, error) {
	if b.cfg.Version != VersionWebSocket {
		return nil, fmt.Errorf("docking: bay %s is an http bay: it takes no websocket passengers", b.cfg.Name)
	}
	m, _ := b.current()
	if m == nil {
		return nil, fmt.Errorf("docking: bay %s: %w", b.cfg.Name, ErrNotDocked)
	}
	return m.currentMux().board(bd)
}

func (m *Mux) board(bd Boarding) (*Passenger, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrMuxClosed
	}
	for {
		m.next++
		if _, used := m.passengers[m.next]; !used && m.next != 0 {
			break
		}
	}
	p := &Passenger{ID: m.next, m: m, inbound: make(chan Message, PassengerQueue), gone: make(chan struct{})}
	m.passengers[p.ID] = p
	m.mu.Unlock()
	bd.ConnID = p.ID
	if err := m.write(func(w *Writer) error { return w.WriteBoarding(bd) }); err != nil {
		m.remove(p)
		return nil, err
	}
	return p, nil
}

// Messages delivers the bay's messages for this client, in order.
func (p *Passenger) Messages() <-chan Message { return p.inbound }

// Gone is closed when the client must be closed: the bay sent Disembark,
// the client fell too far behind, or the link went away. CloseReason says
// with which code and reason. Messages already delivered stay readable.
func (p *Passenger) Gone() <-chan struct{} { return p.gone }

// CloseReason is the close code and reason for the client once Gone is closed.
func (p *Passenger) CloseReason() (uint16, string) { return p.code, p.reason }

// Freight reports whether the link agreed to Freight, so that the bay's
// messages say whether they are binary.
func (p *Passenger) Freight() bool { return p.m.binary }

// Send passes one client message to the bay: as Freight when it is binary
// and the link agreed to Freight, else as Cargo.
func (p *Passenger) Send(msg []byte, binary bool) error {
	if binary && p.m.binary {
		return p.m.write(func(w *Writer) error { return w.WriteFreight(p.ID, msg) })
	}
	return p.m.write(func(w *Writer) error { return w.WriteCargo(p.ID, msg) })
}

// Leave tells the bay the client went away, with the close code and reason
// the client gave (1005, "" when it gave none), and forgets the passenger.
func (p *Passenger) Leave(code uint16, reason string) {
	if !p.m.remove(p) {
		return // the bay or the link ended it: nothing to tell
	}
	p.m.write(func(w *Writer) error {
		return w.WriteDisembark(Disembark{ConnID: p.ID, Code: code, Reason: reason})
	})
}

// Unload ends every passenger's ride on the docked run with code and
// reason, as a server going away does, and tells the bay each one left.
func (b *Berth) Unload(code uint16, reason string) {
	if m, _ := b.current(); m != nil && m.ws {
		m.currentMux().unload(code, reason)
	}
}

func (m *Mux) unload(code uint16, reason string) {
	m.mu.Lock()
	left := m.passengers
	m.passengers = map[uint32]*Passenger{}
	m.mu.Unlock()
	for _, p := range left {
		p.depart(code, reason)
		m.write(func(w *Writer) error {
			return w.WriteDisembark(Disembark{ConnID: p.ID, Code: code, Reason: reason})
		})
	}
}

// depart ends the passenger's ride with a close code for the client.
func (p *Passenger) depart(code uint16, reason string) {
	p.once.Do(func() {
		p.code, p.reason = code, reason
		close(p.gone)
	})
}

// remove forgets p; it reports whether p was still aboard.
func (m *Mux) remove(p *Passenger) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.passengers[p.ID] != p {
		return false
	}
	delete(m.passengers, p.ID)
	return true
}

// write sends frames under the write lock and flushes them; a failure
// closes the link.
func (m *Mux) write(f func(*Writer) error) error {
	m.wmu.Lock()
	err := f(m.link.W)
	if err == nil {
		err = m.link.W.Flush()
	}
	m.wmu.Unlock()
	if err != nil {
		m.close(CloseInternal, "bay link lost")
		return fmt.Errorf("docking: bay %s: %w", m.bay, err)
	}
	return nil
}

// serve reads the bay's frames until the link ends, then sends every
// passenger off with the reason the link closed.
func (m *Mux) serve() {
	err := m.read()
	m.close(CloseInternal, "bay link lost")
	if err != nil && !errors.Is(err, io.EOF) {
		m.log("warn", "websocket link ended", "bay", m.bay, "error", err)
	}
	m.mu.Lock()
	code, reason := m.code, m.reason
	left := m.passengers
	m.passengers = map[uint32]*Passenger{}
	m.mu.Unlock()
	for _, p := range left {
		p.depart(code, reason)
	}
}

func (m *Mux) read() error {
	var cargo Cargo
	var dis Disembark
	for {
		f, err := m.link.R.Next()
		if err != nil {
			return err
		}
		switch f.Type {
		case TypeCargo:
			if err := cargo.Decode(f.Payload); err != nil {
				return err
			}
			m.deliver(cargo.ConnID, cargo.Data, false)
		case TypeFreight:
			if err := cargo.DecodeFreight(f.Payload); err != nil {
				return err
			}
			m.deliver(cargo.ConnID, cargo.Data, true)
		case TypeDisembark:
			if err := dis.Decode(f.Payload); err != nil {
				return err
			}
			if p := m.lookup(dis.ConnID); p != nil && m.remove(p) {
				p.depart(dis.Code, dis.Reason)
			}
		default:
			return fmt.Errorf("docking: websocket bay sent %s: %w", f.Type, ErrUnexpectedType)
		}
	}
}

func (m *Mux) lookup(id uint32) *Passenger {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.passengers[id]
}

// deliver hands a copy of data (the frame's memory is the reader's) to the
// passenger, or closes a passenger that is too far behind.
func (m *Mux) deliver(id uint32, data []byte, binary bool) {
	p := m.lookup(id)
	if p == nil {
		return // it left while the bay was writing to it
	}
	select {
	case p.inbound <- Message{Data: append([]byte(nil), data...), Binary: binary}:
	default:
		if m.remove(p) {
			p.depart(ClosePolicy, "too slow")
			// Not from this goroutine: a write can wait for the bay to read,
			// and the bay for this reader.
			go m.write(func(w *Writer) error {
				return w.WriteDisembark(Disembark{ConnID: p.ID, Code: ClosePolicy, Reason: "too slow"})
			})
		}
	}
}

// close shuts the link down; the passengers are told by serve.
func (m *Mux) close(code uint16, reason string) {
	m.closeOnce.Do(func() {
		m.mu.Lock()
		m.closed, m.code, m.reason = true, code, reason
		m.mu.Unlock()
		m.link.Close()
	})
}
