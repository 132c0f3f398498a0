// Client side of the oracle tools' line protocol (see ../line_protocol.h):
// one long-lived process, requests pipelined, responses paired with requests
// in order.
import {spawn} from 'node:child_process';
import {createInterface} from 'node:readline';

export class ToolProcess {
  #child;
  #pending = [];  // {count, lines, resolve, reject}, oldest first
  #head = 0;
  #dead = null;
  #exited;

  constructor(path) {
    this.#child = spawn(path, [], {stdio: ['pipe', 'pipe', 'inherit']});
    const lines = createInterface({input: this.#child.stdout, crlfDelay: Infinity});
    lines.on('line', line => this.#onLine(line));
    this.#exited = new Promise(resolve => {
      this.#child.on('error', err => {
        this.#die(`cannot run ${path}: ${err.message}`);
        resolve(null);
      });
      this.#child.on('close', (code, signal) => {
        this.#die(`${path} exited (code ${code}, signal ${signal})`);
        resolve(code);
      });
    });
    // A request written after the tool died surfaces through #die instead.
    this.#child.stdin.on('error', () => {});
  }

  // Sends one request line and resolves to the `count` response lines.
  request(line, count = 1) {
    if (line.includes('\n')) throw new Error('request must be one line');
    if (this.#dead) return Promise.reject(Object.assign(new Error(this.#dead), {fromTool: true}));
    if (count === 0) {
      this.#child.stdin.write(`${line}\n`);
      return Promise.resolve([]);
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({count, lines: [], resolve, reject});
      this.#child.stdin.write(`${line}\n`);
    });
  }

  // One request, one response line.
  async ask(line) {
    const [response] = await this.request(line, 1);
    return response;
  }

  // Ends the session; resolves to the tool's exit code.
  close() {
    this.#child.stdin.end();
    return this.#exited;
  }

  #onLine(line) {
    const p = this.#pending[this.#head];
    if (!p) {
      this.#die(`unsolicited output from the tool: ${line.slice(0, 120)}`);
      return;
    }
    p.lines.push(line);
    if (p.lines.length === p.count) {
      this.#pending[this.#head++] = undefined;
      if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
        this.#pending = this.#pending.slice(this.#head);
        this.#head = 0;
      }
      p.resolve(p.lines);
    }
  }

  #die(message) {
    this.#dead ??= message;
    for (let i = this.#head; i < this.#pending.length; i++) {
      this.#pending[i]?.reject(Object.assign(new Error(message), {fromTool: true}));
    }
    this.#pending = [];
    this.#head = 0;
  }
}
