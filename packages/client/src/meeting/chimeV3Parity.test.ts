import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogLevel } from './logger.js';
import { MeetingSessionStatusCode } from './meetingSessionStatus.js';

/**
 * Chime 3.x parity: the installed amazon-chime-sdk-js typings (the contract) against this
 * SDK's Chime face, both read with the TypeScript compiler. A gap shows as a failing list.
 */

const here = dirname(fileURLToPath(import.meta.url));
const clientIndex = join(here, '..', 'index.ts');
const protocolIndex = join(here, '..', '..', '..', 'protocol', 'src', 'index.ts');
const chimeRoot = dirname(createRequire(import.meta.url).resolve('amazon-chime-sdk-js/package.json'));
const chimeIndex = join(chimeRoot, 'build', 'index.d.ts');

/** The names a Chime 3.x meeting app imports (classes it constructs, enums it compares, types it annotates with). */
const APP_FACING = [
  'ConsoleLogger', 'LogLevel', 'Logger', 'DefaultDeviceController', 'DefaultMeetingSession', 'MeetingSession',
  'MeetingSessionConfiguration', 'MeetingSessionCredentials', 'MeetingSessionURLs', 'MeetingSessionStatus', 'MeetingSessionStatusCode',
  'MeetingSessionVideoAvailability', 'DefaultModality', 'DefaultActiveSpeakerPolicy', 'ActiveSpeakerPolicy', 'DefaultAudioVideoFacade',
  'AudioVideoFacade', 'AudioVideoObserver', 'ContentShareObserver', 'DeviceChangeObserver', 'AudioMixObserver', 'VideoTileState',
  'VideoTile', 'DefaultVideoTile', 'VolumeIndicatorCallback', 'DataMessage', 'AudioProfile', 'VideoQualitySettings', 'VideoCodecCapability',
  'VideoSource', 'Attendee', 'Device', 'AudioInputDevice', 'VideoInputDevice', 'RemovableAnalyserNode', 'ClientMetricReport',
  'ContentShareSimulcastEncodingParameters',
];

interface Member {
  name: string;
  kind: 'method' | 'accessor' | 'property';
  minArgs: number;
  maxArgs: number;
  returnsPromise: boolean;
  returnsVoid: boolean;
}

let program: ts.Program;
let checker: ts.TypeChecker;
let chime: Map<string, ts.Symbol>;
let parley: Map<string, ts.Symbol>;

beforeAll(() => {
  program = ts.createProgram([chimeIndex, clientIndex], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: [],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    paths: { '@parley/protocol': [protocolIndex] },
  });
  checker = program.getTypeChecker();
  chime = moduleExports(chimeIndex);
  parley = moduleExports(clientIndex);
}, 120_000);

function moduleExports(file: string): Map<string, ts.Symbol> {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`not in the program: ${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`no module symbol: ${file}`);
  return new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.getName(), s]));
}

function resolved(symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** The type an instance of the exported class (or the exported interface / type alias) has. */
function instanceType(exports: Map<string, ts.Symbol>, name: string): ts.Type {
  const symbol = exports.get(name);
  if (!symbol) throw new Error(`${name} is not exported`);
  return checker.getDeclaredTypeOfSymbol(resolved(symbol));
}

function isPrivate(decl: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(decl);
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 || (ts.isClassElement(decl) && decl.name !== undefined && ts.isPrivateIdentifier(decl.name));
}

/** Public members of a type, with what its call signatures take and give. */
function members(type: ts.Type): Map<string, Member> {
  const out = new Map<string, Member>();
  for (const prop of checker.getPropertiesOfType(type)) {
    const decls = prop.getDeclarations() ?? [];
    if (decls.length === 0 || decls.every(isPrivate)) continue;
    const decl = decls[0]!;
    const propType = checker.getTypeOfSymbol(prop);
    const signatures = propType.getCallSignatures();
    const accessor = ts.isGetAccessorDeclaration(decl) || ts.isSetAccessorDeclaration(decl);
    if (signatures.length === 0 || accessor) {
      out.set(prop.getName(), { name: prop.getName(), kind: accessor ? 'accessor' : 'property', minArgs: 0, maxArgs: 0, returnsPromise: false, returnsVoid: false });
      continue;
    }
    const sig = signatures[signatures.length - 1]!;
    const ret = checker.getReturnTypeOfSignature(sig);
    out.set(prop.getName(), {
      name: prop.getName(),
      kind: 'method',
      minArgs: sig.getParameters().filter((p) => {
        const d = p.valueDeclaration;
        return !(d && ts.isParameter(d) && (d.questionToken || d.initializer || d.dotDotDotToken));
      }).length,
      maxArgs: sig.getParameters().length,
      returnsPromise: ret.getSymbol()?.getName() === 'Promise',
      returnsVoid: (ret.flags & ts.TypeFlags.Void) !== 0,
    });
  }
  return out;
}

/**
 * Differences between Chime's member list and ours: what is missing, and signatures that an
 * app written for Chime could trip over (needs more arguments, takes fewer, or gives back
 * something else: a value where Chime gives a promise, nothing where Chime gives a value).
 */
function compare(chimeName: string, parleyName = chimeName): { missing: string[]; mismatched: string[]; chimeCount: number } {
  const theirs = members(instanceType(chime, chimeName));
  const ours = members(instanceType(parley, parleyName));
  const missing: string[] = [];
  const mismatched: string[] = [];
  for (const c of theirs.values()) {
    const p = ours.get(c.name);
    if (!p) {
      missing.push(c.name);
      continue;
    }
    if (c.kind !== 'method') continue;
    const problems: string[] = [];
    if (p.kind !== 'method') problems.push(`is a ${p.kind}`);
    if (p.minArgs > c.minArgs) problems.push(`needs ${p.minArgs} arguments, Chime ${c.minArgs}`);
    if (p.maxArgs < c.maxArgs) problems.push(`takes ${p.maxArgs} arguments, Chime ${c.maxArgs}`);
    if (c.returnsPromise && !p.returnsPromise) problems.push('does not return a Promise');
    if (!c.returnsVoid && !c.returnsPromise && (p.returnsVoid || p.returnsPromise)) problems.push('returns nothing or a Promise where Chime returns a value');
    if (problems.length) mismatched.push(`${c.name}: ${problems.join(', ')}`);
  }
  return { missing: missing.sort(), mismatched, chimeCount: theirs.size };
}

describe('Chime 3.x parity (against the installed amazon-chime-sdk-js typings)', () => {
  it('reads Chime 3.x', () => {
    const version = (createRequire(import.meta.url)('amazon-chime-sdk-js/package.json') as { version: string }).version;
    expect(version.split('.')[0]).toBe('3');
    expect(chime.size).toBeGreaterThan(300);
  });

  it('meetingSession.audioVideo has every method of Chime\'s DefaultAudioVideoFacade, with compatible signatures', () => {
    const { missing, mismatched, chimeCount } = compare('DefaultAudioVideoFacade');
    expect(chimeCount).toBeGreaterThanOrEqual(85);
    expect([...missing.map((n) => `missing: ${n}`), ...mismatched]).toEqual([]);
  });

  it('the facade satisfies the AudioVideoFacade interface too (the interfaces it extends)', () => {
    expect(compare('AudioVideoFacade', 'DefaultAudioVideoFacade').missing).toEqual([]);
  });

  it('the facade\'s prototype really has them (not only in the types)', async () => {
    const { DefaultAudioVideoFacade } = await import('./defaultAudioVideoFacade.js');
    const names = [...members(instanceType(chime, 'DefaultAudioVideoFacade')).values()];
    const proto = DefaultAudioVideoFacade.prototype as unknown as Record<string, unknown>;
    const absent = names.filter((m) => {
      const d = Object.getOwnPropertyDescriptor(proto, m.name);
      return m.kind === 'accessor' ? !d?.get : typeof d?.value !== 'function';
    });
    expect(absent.map((m) => m.name)).toEqual([]);
  });

  it('the older names of the reference README still work', async () => {
    const { DefaultAudioVideoFacade } = await import('./defaultAudioVideoFacade.js');
    const proto = DefaultAudioVideoFacade.prototype as unknown as Record<string, unknown>;
    expect(['chooseAudioInputDevice', 'chooseVideoInputDevice', 'chooseAudioOutputDevice'].filter((n) => typeof proto[n] !== 'function')).toEqual([]);
  });

  it('meetingSession, its deviceController, contentShare and video tiles have Chime\'s members', () => {
    const gaps = [
      ['MeetingSession', 'DefaultMeetingSession'],
      ['DefaultMeetingSession', 'DefaultMeetingSession'],
      ['DeviceController', 'DefaultDeviceController'],
      ['ContentShareControllerFacade', 'DefaultMeetingSession'],
      ['VideoTile', 'DefaultVideoTile'],
      ['VideoTileState', 'VideoTileState'],
    ].flatMap(([c, p]) => {
      if (c === 'ContentShareControllerFacade') {
        // meetingSession.contentShare
        const theirs = members(instanceType(chime, c));
        const contentShare = checker.getTypeOfSymbol(checker.getPropertyOfType(instanceType(parley, p!), 'contentShare')!);
        const ours = members(contentShare);
        return [...theirs.keys()].filter((n) => !ours.has(n)).map((n) => `contentShare.${n}`);
      }
      const { missing, mismatched } = compare(c!, p);
      return [...missing.map((n) => `${p}.${n}`), ...mismatched.map((m) => `${p}.${m}`)];
    });
    expect(gaps).toEqual([]);
  });

  it('constructors an app calls take Chime\'s arguments', () => {
    const ctorArgs = (exports: Map<string, ts.Symbol>, name: string) => {
      const sigs = checker.getTypeOfSymbol(resolved(exports.get(name)!)).getConstructSignatures();
      const sig = sigs[sigs.length - 1]!;
      const required = sig.getParameters().filter((p) => {
        const d = p.valueDeclaration;
        return !(d && ts.isParameter(d) && (d.questionToken || d.initializer || d.dotDotDotToken));
      }).length;
      return { required, total: sig.getParameters().length };
    };
    const names = ['DefaultMeetingSession', 'DefaultDeviceController', 'MeetingSessionConfiguration', 'ConsoleLogger', 'DefaultActiveSpeakerPolicy', 'DefaultModality', 'MeetingSessionStatus', 'AudioProfile', 'VideoQualitySettings', 'VideoCodecCapability'];
    const differ = names.flatMap((n) => {
      const c = ctorArgs(chime, n);
      const p = ctorArgs(parley, n);
      return p.required > c.required || p.total < c.total ? [`${n}: Parley takes ${p.required}..${p.total} arguments, Chime ${c.required}..${c.total}`] : [];
    });
    expect(differ).toEqual([]);
  });

  it('ClientMetricReport has the methods a 3.x metricsDidReceive reads', () => {
    const theirs = members(instanceType(chime, 'ClientMetricReport'));
    const ours = members(instanceType(parley, 'ClientMetricReport'));
    const used = ['getObservableMetrics', 'getObservableVideoMetrics', 'getRTCStatsReport', 'clone'];
    expect(used.filter((n) => !theirs.has(n))).toEqual([]);
    expect(used.filter((n) => ours.get(n)?.kind !== 'method')).toEqual([]);
  });

  it('exports the names a Chime 3.x app imports', () => {
    expect(APP_FACING.filter((n) => !chime.has(n))).toEqual([]);
    expect(APP_FACING.filter((n) => !parley.has(n))).toEqual([]);
  });

  it('enums have Chime\'s members and numbers (older names may be extra aliases)', () => {
    for (const [name, ours] of [['MeetingSessionStatusCode', MeetingSessionStatusCode], ['LogLevel', LogLevel]] as const) {
      const decl = resolved(chime.get(name)!).getDeclarations()!.find(ts.isEnumDeclaration)!;
      const theirs = Object.fromEntries(decl.members.map((m) => [m.name.getText(), checker.getConstantValue(m)]));
      const differ = Object.entries(theirs).filter(([k, v]) => (ours as Record<string, unknown>)[k] !== v).map(([k, v]) => `${name}.${k}: Chime ${String(v)}, Parley ${String((ours as Record<string, unknown>)[k])}`);
      expect(differ).toEqual([]);
    }
  });
});
