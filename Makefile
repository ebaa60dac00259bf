# Ortigia: the two commands a newcomer needs are `make demo` and `make test`.
#
#   make deps    install missing Debian packages (apt-get; quiet when all are there)
#   make build   configure and build host tools, tests and firmware (CMake)
#   make demo    deps + build, then run the demo firmware and a compiled network on the virtual platform
#   make test    deps + build, then the whole test suite (ctest)
#   make bench   deps + build, then the benchmarks (figures in docs/performance.md)
#   make sanitize  the test suite on an ASan/UBSan build (in build-sanitize/)

BUILD ?= build
DEEPLOY_DATA ?= ../shared/testdata/deeploy
LLAMA2C_MODEL ?= ../shared/testdata/llama2c/stories260K.bin
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

DEB_PACKAGES := cmake make pkg-config g++ \
	libsystemc-dev \
	gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf \
	libgtest-dev zlib1g-dev libjansson-dev libelf-dev \
	protobuf-c-compiler libprotobuf-c-dev libonnx-dev \
	qemu-system-misc gdb-multiarch python3 chromium \
	slurm-wlm munge

.PHONY: all deps build demo test bench sanitize clean

all: build

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	@echo "== hello world on the virtual platform =="
	$(BUILD)/ortigia run $(BUILD)/firmware/tests/hello.elf
	@echo
	@echo "== a compute-bound program: matrix multiply and CRC, with statistics =="
	$(BUILD)/ortigia run --stats $(BUILD)/demo-stats.json $(BUILD)/firmware/bench/bench_compute.elf
	@echo "statistics written to $(BUILD)/demo-stats.json"
	@echo
	@echo "== a compiled network: Deeploy's microLlama64 (one token, 64 in the KV cache), on the simulator =="
	@if [ -d $(DEEPLOY_DATA)/microLlama/microLlama64 ]; then \
	  $(BUILD)/ortigia test-network --profile $(DEEPLOY_DATA)/microLlama/microLlama64; \
	else echo "skipped: $(DEEPLOY_DATA) not found (test data lives in ../shared/testdata)"; fi
	@echo
	@echo "== a language model generating tokens on the MCU: the embedded default model (int8, quantized by Ortigia) =="
	$(BUILD)/ortigia llm --tokens 16 --report $(BUILD)/demo-llm.html
	@echo "report written to $(BUILD)/demo-llm.html"
	@if [ -f $(LLAMA2C_MODEL) ]; then \
	  echo; echo "== the same with TinyStories' stories260K checkpoint (../shared/testdata/llama2c) =="; \
	  $(BUILD)/ortigia llm $(LLAMA2C_MODEL) --tokens 32 --prompt-ids 1,403; \
	fi

test: demo
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	tests/bench/bench_iss.sh $(BUILD)
	tests/bench/bench_cluster.sh $(BUILD)
	tests/bench/bench_npu.sh $(BUILD)
	tests/bench/bench_compiler.sh $(BUILD)
	tests/bench/bench_conv.sh $(BUILD)

sanitize: deps
	cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DORTIGIA_SANITIZE=ON
	cmake --build build-sanitize -j$(JOBS)
	cd build-sanitize && ctest --output-on-failure -j$(JOBS)

clean:
	rm -rf $(BUILD) build-sanitize
