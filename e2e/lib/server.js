// The real askaround binary on a random port with a fresh database: an organisation created with
// `askaround org create`, people imported from CSV with `askaround import`, invitation links from
// `askaround org invite`. It can be stopped and started again on the same port and database.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

/** The binary under test: E2E_ASKAROUND_BIN (not ASKAROUND_*: the binary reads those as settings), else the debug build in the cargo target dir. */
export function binary() {
  if (process.env.E2E_ASKAROUND_BIN) return process.env.E2E_ASKAROUND_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.join(repoRoot, 'target');
  return path.join(target, 'debug', 'askaround');
}

export const PASSWORD = 'correct horse battery staple';

/** Everyone works around the clock in these tests, so "free now" never depends on the hour. */
const ALWAYS = 'mon-sun 00:00-24:00';

export const PEOPLE = {
  admin: { email: 'ada.admin@acme.test', name: 'Ada Admin' },
  learner: {
    email: 'lea.learner@acme.test', name: 'Lea Learner', title: 'Analyst', team: 'Finance',
    skills: 'SQL:beginner', goals: 'Microsoft Excel',
  },
  helper: {
    email: 'hal.helper@acme.test', name: 'Hal Helper', title: 'Controller', team: 'Finance',
    skills: 'Microsoft Excel:expert; Pivot tables:expert',
  },
  rival: {
    email: 'hana.rival@acme.test', name: 'Hana Rival', title: 'Data analyst', team: 'Sales ops',
    skills: 'Microsoft Excel:expert',
  },
  bystander: {
    email: 'ivo.bystander@acme.test', name: 'Ivo Bystander', title: 'Engineer', team: 'Platform',
    skills: 'Kubernetes:intermediate',
  },
};

function csv(people) {
  const header = 'email,name,title,team,timezone,working_hours,languages,skills,goals,weekly_budget';
  const cell = (v = '') => (/[",]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const rows = people.map((p) => [
    p.email, p.name, p.title, p.team, 'Europe/Lisbon', ALWAYS, 'en', p.skills, p.goals, '50',
  ].map(cell).join(','));
  return `${[header, ...rows].join('\n')}\n`;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export class AskaroundServer {
  /** A new organisation with the people above, not yet serving. */
  static async create() {
    const dir = await mkdtemp(path.join(tmpdir(), 'askaround-e2e-'));
    const server = new AskaroundServer(dir, await freePort());
    const { admin, ...members } = PEOPLE;
    const created = await server.cli([
      'org', 'create', '--name', 'Acme', '--admin-email', admin.email,
      '--admin-name', admin.name, '--timezone', 'Europe/Lisbon',
    ]);
    server.invitations = { admin: inviteToken(created) };
    const file = path.join(dir, 'people.csv');
    await writeFile(file, csv(Object.values(members)));
    await server.cli(['import', file]);
    for (const [who, person] of Object.entries(members)) {
      server.invitations[who] = inviteToken(await server.cli(['org', 'invite', '--email', person.email]));
    }
    return server;
  }

  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.databaseUrl = `sqlite://${path.join(dir, 'askaround.db')}`;
    this.process = null;
    this.log = [];
  }

  async cli(args) {
    const { stdout } = await run(binary(), ['--database-url', this.databaseUrl, ...args], {
      env: { ...process.env, ASKAROUND_LOG_LEVEL: 'warn' },
    });
    return stdout;
  }

  async start() {
    const child = spawn(binary(), [
      '--database-url', this.databaseUrl, 'serve', '--listen', `127.0.0.1:${this.port}`,
    ], { env: { ...process.env, ASKAROUND_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => this.log.push(chunk.toString());
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.process = child;
    await this.waitUntilReady();
  }

  async waitUntilReady(timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) {
        throw new Error(`askaround exited early:\n${this.log.join('')}`);
      }
      try {
        if ((await fetch(`${this.url}/readyz`)).ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`askaround did not become ready:\n${this.log.join('')}`);
  }

  /** Kills the server the hard way (as a crash or a power cut would). */
  async kill() {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = null;
  }

  async dispose() {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function inviteToken(output) {
  const found = output.match(/\/invite\/([A-Za-z0-9_-]+)/);
  if (!found) throw new Error(`no invitation link in:\n${output}`);
  return found[1];
}
