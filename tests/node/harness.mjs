// The shared pieces of the project's Node.js tests (tests/browser,
// tests/binance_client): TAP-style results (`check`, `pass`, `fail`),
// `waitFor` (a condition awaited, never a fixed sleep), and the child
// processes a test starts (`startProcess` waits for a ready line,
// `stopAll` stops them, newest first) with their output kept for the
// report (`finish`).
//
// One test process; Node's single thread.
import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createInterface} from 'node:readline';

// ---- Results ----

export const failures = [];
let checks = 0;
export function pass(name, detail = '') {
  checks += 1;
  console.log(`ok ${checks} - ${name}${detail ? ` (${detail})` : ''}`);
}
export function fail(name, detail) {
  checks += 1;
  failures.push(name);
  console.log(`not ok ${checks} - ${name}\n  # ${String(detail).replace(/\n/g, '\n  # ')}`);
}
export async function check(name, fn) {
  try {
    const detail = await fn();
    pass(name, detail);
    return true;
  } catch (e) {
    fail(name, e && e.message ? e.message : e);
    return false;
  }
}

// Polls `probe` until `accept(value)`; throws with the last value seen. A
// probe that does not settle counts against the same deadline.
export async function waitFor(what, probe, accept, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer')), Math.max(deadline - Date.now(), 1));
    });
    try {
      last = await Promise.race([probe(), late]);
      if (accept(last)) return last;
    } catch (e) {
      last = `error: ${e.message}`;
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs / 1000}s (last seen: ${JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---- Processes ----

const children = [];
export const logs = {};

// Starts `bin`; resolves with the process and the first line of its
// output (stdout or stderr) matching `ready` (its match), rejects if it
// exits or takes longer than `timeoutMs`.
export function startProcess(name, bin, argv, ready, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, argv, {stdio: ['ignore', 'pipe', 'pipe'], env: process.env});
    children.push(child);
    logs[name] = [];
    let done = false;
    let onReady = () => {};
    const keep = (line) => {
      logs[name].push(line);
      if (logs[name].length > 400) logs[name].shift();
      onReady(line);
    };
    createInterface({input: child.stderr}).on('line', keep);
    createInterface({input: child.stdout}).on('line', keep);
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      reject(new Error(`${name} not ready within ${timeoutMs / 1000}s:\n${logs[name].join('\n')}`));
    }, timeoutMs);
    onReady = (line) => {
      const match = line.match(ready);
      if (match && !done) {
        done = true;
        clearTimeout(timer);
        resolve({child, match});
      }
    };
    child.on('exit', (code, signal) => {
      child.exited = true;
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n` +
                       logs[name].join('\n')));
    });
    child.on('error', (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${name}: ${e.message}`));
    });
  });
}

export function stopProcess(child, timeoutMs = 20000) {
  return new Promise((resolve) => {
    if (!child || child.exited || child.exitCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function stopAll() {
  for (const child of [...children].reverse()) await stopProcess(child);
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await stopAll();
    process.exit(1);
  });
}

// Writes each process's output to `artifactsDir` when something failed,
// the run crashed or `keep` is set; prints the plan and the verdict; exits
// 1 on a failure.
export function finish(artifactsDir, crashed, keep = false) {
  if (crashed) fail('the test ran to its end', crashed.stack ? crashed.stack : crashed);
  if (failures.length || crashed || keep) {
    for (const [name, lines] of Object.entries(logs)) {
      const path = join(artifactsDir, `${name}.log`);
      writeFileSync(path, lines.join('\n') + '\n');
      console.log(`# ${name}'s output: ${path}`);
      if (failures.length) {
        console.log(`# last lines of ${name}:\n#   ${lines.slice(-15).join('\n#   ')}`);
      }
    }
  }
  console.log(`1..${checks}`);
  if (failures.length) {
    console.log(`# FAILED ${failures.length} of ${checks}: ${failures.join('; ')}`);
    process.exit(1);
  }
  console.log(`# all ${checks} checks passed`);
}

// A test's whole run: `main`, then (whatever happened) its processes
// stopped and `cleanup` run, then the verdict (finish). Exits 1 on a failure.
export async function runTest(main, artifactsDir, {keep = false, cleanup = () => {}} = {}) {
  let crashed = null;
  try {
    await main();
  } catch (e) {
    crashed = e;
  } finally {
    await stopAll();
    cleanup();
  }
  finish(artifactsDir, crashed, keep);
}
