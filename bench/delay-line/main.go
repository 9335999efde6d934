// Command delay-line joins two tun devices: every IP packet read from one is written to the other after a
// fixed delay, so two network namespaces talk over a link with that one-way latency and a 1,500-byte MTU.
// The bench uses it where the kernel has no netem (bench/src/network/delay-line.ts).
//
// Usage: delay-line <one-way delay, e.g. 10ms> <device a> <device b>
package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"
)

const (
	tunSetIff = 0x400454ca
	iffTun    = 0x0001
	iffNoPi   = 0x1000
)

func openTun(name string) *os.File {
	fd, err := syscall.Open("/dev/net/tun", syscall.O_RDWR, 0)
	if err != nil {
		panic(err)
	}
	var ifr [40]byte // struct ifreq: the name, then the flags
	copy(ifr[:16], name)
	*(*uint16)(unsafe.Pointer(&ifr[16])) = iffTun | iffNoPi
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), tunSetIff, uintptr(unsafe.Pointer(&ifr[0]))); errno != 0 {
		panic(fmt.Sprintf("TUNSETIFF %s: %v", name, errno))
	}
	return os.NewFile(uintptr(fd), name)
}

type packet struct {
	due  time.Time
	data []byte
}

// forward copies packets from one device to the other, each once its delay has passed, in order.
func forward(from, to *os.File, delay time.Duration) {
	queue := make(chan packet, 1<<20)
	go func() {
		for p := range queue {
			time.Sleep(time.Until(p.due))
			// EIO: the other device is not up yet (or any more); the packet is lost, as on a link going down.
			if _, err := to.Write(p.data); err != nil && !errors.Is(err, syscall.EIO) {
				fmt.Fprintln(os.Stderr, "write:", err)
			}
		}
	}()
	for {
		buf := make([]byte, 65536)
		n, err := from.Read(buf)
		if err != nil {
			panic(err)
		}
		queue <- packet{time.Now().Add(delay), buf[:n]}
	}
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: delay-line <one-way delay> <device a> <device b>")
		os.Exit(2)
	}
	delay, err := time.ParseDuration(os.Args[1])
	if err != nil {
		panic(err)
	}
	a, b := openTun(os.Args[2]), openTun(os.Args[3])
	fmt.Println("ready")
	go forward(a, b, delay)
	forward(b, a, delay)
}
