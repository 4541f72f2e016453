module github.com/mothership-go/mothership

go 1.26.8

require github.com/pelletier/go-toml/v2 v2.4.3

require (
	github.com/dlclark/regexp2 v1.12.0 // indirect
	github.com/spf13/pflag v1.1.0 // indirect
)
