// Builds a workspace package and the workspace packages it depends on, each only when its
// sources changed since its last build, so `pnpm demo` and `pnpm bench` start at once on a
// built checkout (running `tsc -b` in each package took about 16 s even with nothing to do).
// Usage: node scripts/build-if-stale.mjs <package dir>...
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const workspace = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What a build reads besides `src/`: a change to any of these builds again. */
const BUILD_INPUTS = ['package.json', 'tsconfig.build.json'];
/** Where the time of each package's last build through this script is kept (outside dist/, which is published). */
const STAMPS = join(workspace, 'node_modules', '.cache', 'build-if-stale');

const byName = new Map();
for (const parent of ['packages', 'examples']) {
  for (const name of readdirSync(join(workspace, parent))) {
    const dir = join(workspace, parent, name);
    if (existsSync(join(dir, 'package.json'))) byName.set(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name, dir);
  }
}

/** The package's workspace dependencies (of any kind: a peer must be built too) first, each once, then the package. */
function buildOrder(dir, order = [], seen = new Set()) {
  if (seen.has(dir)) return order;
  seen.add(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const dependencies = { ...manifest.devDependencies, ...manifest.peerDependencies, ...manifest.dependencies };
  for (const [name, range] of Object.entries(dependencies)) {
    if (String(range).startsWith('workspace:') && byName.has(name)) buildOrder(byName.get(name), order, seen);
  }
  order.push(dir);
  return order;
}

/**
 * The modification times below `path` folded with `pick` (`Math.max`: the newest change, folders
 * included, since a deleted file changes its folder; `Math.min`: the oldest file, folders left out).
 */
function foldTimes(path, pick) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let folded = pick === Math.max ? stats.mtimeMs : Number.POSITIVE_INFINITY;
  for (const entry of readdirSync(path)) folded = pick(folded, foldTimes(join(path, entry), pick));
  return folded;
}

function stampOf(dir) {
  return join(STAMPS, `${relative(workspace, dir).replaceAll('/', '+')}.stamp`);
}

function isStale(dir) {
  const dist = join(dir, 'dist');
  if (!existsSync(dist)) return true;
  // Built by this script: its stamp. Built otherwise (`pnpm build`, which writes every file of
  // dist/): the oldest file there, so a checkout built so does not build again for nothing.
  const stamp = stampOf(dir);
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : foldTimes(dist, Math.min);
  const inputs = [join(dir, 'src'), join(workspace, 'tsconfig.base.json'), ...BUILD_INPUTS.map((name) => join(dir, name))];
  return Math.max(...inputs.filter((path) => existsSync(path)).map((path) => foldTimes(path, Math.max))) > builtAt;
}

const tsc = join(workspace, 'node_modules', 'typescript', 'bin', 'tsc');
const targets = process.argv.slice(2).map((arg) => join(workspace, arg));
const seen = new Set();
for (const dir of targets.flatMap((target) => buildOrder(target, [], seen))) {
  if (!isStale(dir)) continue;
  process.stderr.write(`building ${relative(workspace, dir)}\n`);
  // Stamped with the time the build started: a source saved during the build counts as newer.
  const startedAt = new Date();
  const { status } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
  mkdirSync(STAMPS, { recursive: true });
  writeFileSync(stampOf(dir), '');
  utimesSync(stampOf(dir), startedAt, startedAt);
}
