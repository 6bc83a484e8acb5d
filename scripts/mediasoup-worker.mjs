#!/usr/bin/env node
// Builds mediasoup's C++ worker from the source inside the installed `mediasoup` npm package,
// against Debian's own libraries, and installs it where the package looks for it.
//
// Why: mediasoup's own postinstall downloads a prebuilt worker or meson subprojects, and neither
// host is reachable here. mediasoup 3.12.x is the last line whose worker builds against Debian
// bookworm's libraries (see ../shared/DESIGN.md). The binary is cached outside the clone, keyed by
// version and recipe, so `npm ci` and CI runs after the first only copy it.
//
// libsrtp: Debian's libsrtp2 is built on NSS, whose per-call locking made SRTP a quarter of the
// worker's CPU per forwarded packet (perf, bench webinar). So the recipe builds libsrtp2 from
// Debian's own source package against OpenSSL (AES-NI), statically, as mediasoup's own wrap does:
// -18% worker CPU per packet. Without a reachable deb-src it falls back to Debian's library.
//
// Usage: node scripts/mediasoup-worker.mjs [--from <mediasoup package dir>] [--check]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, chmodSync, rmSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, cpus } from 'node:os';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const fromIdx = args.indexOf('--from');
const pkgDir = fromIdx >= 0 ? args[fromIdx + 1] : dirname(createRequire(import.meta.url).resolve('mediasoup/package.json'));
const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
const cacheRoot = process.env.PARLEY_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'parley');
// Bump RECIPE when the way the worker is built changes, so caches built the old way are not reused.
const RECIPE = 'srtp-openssl';
const cacheDir = join(cacheRoot, `mediasoup-worker-${version}-${process.arch}-${RECIPE}`);
const cachedBin = join(cacheDir, 'mediasoup-worker');
const targetBin = join(pkgDir, 'worker', 'out', 'Release', 'mediasoup-worker');
const scriptDir = dirname(new URL(import.meta.url).pathname);
const log = (msg) => console.log(`[mediasoup-worker] ${msg}`);

if (args.includes('--check')) {
  process.exit(existsSync(targetBin) ? 0 : 1);
}

if (!existsSync(cachedBin)) {
  build();
} else {
  log(`using cached worker ${cachedBin}`);
}
mkdirSync(dirname(targetBin), { recursive: true });
copyFileSync(cachedBin, targetBin);
chmodSync(targetBin, 0o755);
log(`installed ${targetBin}`);

function build() {
  // Debian's compilers and libraries; installs what is missing (needs root or sudo).
  execFileSync('bash', [join(scriptDir, 'install-system-deps.sh'), 'build'], { stdio: 'inherit' });
  const work = join(cacheRoot, `build-${version}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(join(pkgDir, 'worker'), work, { recursive: true });
  // Outside the worker's tree: meson refuses include paths inside its own source tree.
  const srtpWork = join(cacheRoot, `libsrtp2-for-${version}`);
  rmSync(srtpWork, { recursive: true, force: true });
  const srtp = buildSrtpWithOpenssl(srtpWork);
  patchMeson(join(work, 'meson.build'), join(work, 'deps', 'libwebrtc', 'meson.build'), srtp);
  log(`building mediasoup ${version} worker in ${work} (takes 15-25 minutes on 2 cores)`);
  const run = (cmd, cmdArgs) => execFileSync(cmd, cmdArgs, { cwd: work, stdio: 'inherit' });
  run('meson', ['setup', 'build', '-Dbuildtype=release', '-Dwrap_mode=nodownload', '-Dms_log_trace=false', '-Dms_log_file_line=false']);
  run('ninja', ['-C', 'build', '-j', String(Math.max(1, cpus().length)), 'mediasoup-worker']);
  mkdirSync(cacheDir, { recursive: true });
  // Rename into place so an interrupted build never leaves a half-written cached binary.
  copyFileSync(join(work, 'build', 'mediasoup-worker'), `${cachedBin}.tmp`);
  renameSync(`${cachedBin}.tmp`, cachedBin);
  rmSync(work, { recursive: true, force: true });
  rmSync(srtpWork, { recursive: true, force: true });
}

/**
 * Builds libsrtp2 (the version Debian ships, from its source package) against OpenSSL into a
 * static archive under `work`. Returns { lib, include }, or null (then Debian's NSS-based shared
 * library is used) when the source package cannot be fetched.
 */
function buildSrtpWithOpenssl(work) {
  const dir = join(work, 'libsrtp2-src');
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('bash', [join(scriptDir, 'install-system-deps.sh'), 'srtp-source', dir], { stdio: 'inherit' });
  } catch {
    log('WARNING: could not fetch Debian\'s libsrtp2 source; linking Debian\'s NSS-based libsrtp2 (slower SRTP)');
    return null;
  }
  const src = readdirSync(dir, { withFileTypes: true }).find((e) => e.isDirectory() && e.name.startsWith('libsrtp'));
  if (!src) throw new Error(`no libsrtp source tree in ${dir}`);
  const srcDir = join(dir, src.name);
  const prefix = join(work, 'libsrtp2-openssl');
  const run = (cmd, cmdArgs) => execFileSync(cmd, cmdArgs, { cwd: srcDir, stdio: 'inherit' });
  log(`building ${src.name} against OpenSSL (static)`);
  run('meson', ['setup', 'build', '-Dbuildtype=release', '-Ddefault_library=static', '-Dcrypto-library=openssl', '-Dtests=disabled', '-Ddoc=disabled', `-Dprefix=${prefix}`, '-Dlibdir=lib']);
  run('ninja', ['-C', 'build', 'install']);
  return { lib: join(prefix, 'lib', 'libsrtp2.a'), include: join(prefix, 'include', 'srtp2') };
}

// Replace meson subprojects (downloaded wraps) with Debian's system libraries (and libsrtp2 built above).
function patchMeson(mainFile, webrtcFile, srtp) {
  const libsrtp2 = srtp
    ? `libsrtp2_dep = declare_dependency(link_args: ['${srtp.lib}'], dependencies: dependency('openssl'), include_directories: include_directories('${srtp.include}'))`
    : `libsrtp2_dep = declare_dependency(dependencies: dependency('libsrtp2'), include_directories: include_directories('/usr/include/srtp2'))`;
  const systemDeps = `
openssl_dep = dependency('openssl')
nlohmann_json_dep = dependency('nlohmann_json')
libuv_dep = dependency('libuv')
${libsrtp2}
usrsctp_dep = dependency('usrsctp')
absl_container_dep = declare_dependency(dependencies: [dependency('absl_flat_hash_map'), dependency('absl_flat_hash_set'), dependency('absl_btree'), dependency('absl_inlined_vector')])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [dependency('absl_optional'), dependency('absl_variant')])
catch2_dep = dependency('catch2', required: false)
`;
  const subprojectBlock = /^\w+_proj = subproject\([\s\S]*?^\)\n/gm;
  const getVar = /\w+_proj\.get_variable\('(\w+)'\)/g;
  let main = readFileSync(mainFile, 'utf8');
  main = main.replace(/meson_version: '>= [\d.]+'/, "meson_version: '>= 1.0.0'");
  main = main.replace(subprojectBlock, '');
  main = main.replace(/^libwebrtc_include_directories = /m, `${systemDeps}\nlibwebrtc_include_directories = `);
  // Static archives of system libraries cannot be link_whole'd; keep only Parley-built libwebrtc.
  main = main.replace(/link_whole = \[[\s\S]*?\]\n/, 'link_whole = [\n  libwebrtc,\n]\n');
  main = main.replace(getVar, '$1');
  writeFileSync(mainFile, main);
  let webrtc = readFileSync(webrtcFile, 'utf8');
  webrtc = webrtc.replace(subprojectBlock, '').replace(getVar, '$1');
  writeFileSync(webrtcFile, webrtc);
}
