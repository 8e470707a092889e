# The two commands of the README, and the install target.
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build demo test sanitize install clean

all: build

build:
	swift build -c release

# Builds and pushes the example app to a local registry and runs the image.
demo:
	scripts/demo.sh

# Runs every test, installing and starting what they need.
test:
	scripts/test.sh

# Runs every test under AddressSanitizer, then ThreadSanitizer, each from its
# own build directory; fails on any sanitizer report.
sanitize:
	scripts/sanitize.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $$(swift build -c release --show-bin-path)/ko $(DESTDIR)$(PREFIX)/bin/ko
	install -m 0755 $$(swift build -c release --show-bin-path)/docker-credential-ko \
		$(DESTDIR)$(PREFIX)/bin/docker-credential-ko
	install -m 0755 $$(swift build -c release --show-bin-path)/docker-credential-ko-cloud \
		$(DESTDIR)$(PREFIX)/bin/docker-credential-ko-cloud

clean:
	rm -rf .build
