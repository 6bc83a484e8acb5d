// The generators live with the bench (which sends millions of them); the e2e tests send thousands.
export { Fuzzer } from '../../bench/src/fuzz/fuzzer.js';
export { signalingTemplates } from '../../bench/src/fuzz/signalingFuzz.js';
export { DatagramFuzzer, type DatagramShape } from '../../bench/src/fuzz/datagrams.js';
export { UdpFuzzTarget } from '../../bench/src/fuzz/udpFuzz.js';
