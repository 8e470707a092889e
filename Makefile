# Build, test, demo, man pages and install.
#
#   make                 release build of ko, docker-credential-ko and
#                        docker-credential-ko-cloud
#   make install         install binaries, man pages and shell completions
#                        under $(DESTDIR)$(PREFIX) (default /usr/local)
#   make man             regenerate man/*.1 from the command declarations
#   make test / demo     see README.md
#   make sanitize        every test under AddressSanitizer, then ThreadSanitizer
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

SWIFT ?= swift
# The commit stamped into `ko version`: git's, else KO_GIT_COMMIT (for a
# source tarball), else "unknown".
KO_GIT_COMMIT ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell \
	git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo -dirty)
STAMP = Sources/KoCommandLine/GitCommit+Stamp.swift
RELEASE_BIN = $$($(SWIFT) build -c release --show-bin-path)
DEBUG_BIN = $$($(SWIFT) build --show-bin-path)

.PHONY: all build stamp demo test sanitize man install uninstall clean

all: build

# The stamp is rewritten only when the commit changes, so that an unchanged
# tree is not recompiled.
stamp:
	@mkdir -p .build
	@printf '%s\n' '// Written by make from git; ignored by git. See GitCommit.swift.' \
		'extension GitCommit { static var stamped: String? { "$(KO_GIT_COMMIT)" } }' > .build/stamp.new
	@if cmp -s .build/stamp.new $(STAMP); then rm .build/stamp.new; else mv .build/stamp.new $(STAMP); fi

build: stamp
	$(SWIFT) build -c release --product ko
	$(SWIFT) build -c release --product docker-credential-ko
	$(SWIFT) build -c release --product docker-credential-ko-cloud

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

# The command pages come from `ko __man`; ko.yaml.5 and docker-credential-ko.1
# are written by hand. A test fails when man/ differs from `ko __man`.
man:
	$(SWIFT) build --product ko
	@bin=$(DEBUG_BIN)/ko; \
	for page in $$($$bin __man); do $$bin __man $$page > man/$$page; echo "man/$$page"; done

install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 $(RELEASE_BIN)/ko $(DESTDIR)$(BINDIR)/ko
	install -m 0755 $(RELEASE_BIN)/docker-credential-ko $(DESTDIR)$(BINDIR)/docker-credential-ko
	install -m 0755 $(RELEASE_BIN)/docker-credential-ko-cloud $(DESTDIR)$(BINDIR)/docker-credential-ko-cloud
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	$(RELEASE_BIN)/ko completion bash > $(DESTDIR)$(BASHCOMPDIR)/ko
	$(RELEASE_BIN)/ko completion zsh > $(DESTDIR)$(ZSHCOMPDIR)/_ko
	$(RELEASE_BIN)/ko completion fish > $(DESTDIR)$(FISHCOMPDIR)/ko.fish
	chmod 0644 $(DESTDIR)$(BASHCOMPDIR)/ko $(DESTDIR)$(ZSHCOMPDIR)/_ko $(DESTDIR)$(FISHCOMPDIR)/ko.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ko $(DESTDIR)$(BINDIR)/docker-credential-ko \
		$(DESTDIR)$(BINDIR)/docker-credential-ko-cloud \
		$(DESTDIR)$(BASHCOMPDIR)/ko $(DESTDIR)$(ZSHCOMPDIR)/_ko $(DESTDIR)$(FISHCOMPDIR)/ko.fish
	cd man && for page in *.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$$page; done
	cd man && for page in *.5; do rm -f $(DESTDIR)$(MANDIR)/man5/$$page; done

clean:
	rm -rf .build $(STAMP)
