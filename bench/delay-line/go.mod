module lfsync/bench/delay-line

go 1.22
