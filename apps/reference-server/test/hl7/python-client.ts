/**
 * The independent MLLP client of the listener tests: Debian's python3-hl7
 * (`apt-get install python3-hl7`, also installed by `.ci/run`). `mllpSend`
 * runs its `mllp_send` command over one kept-open connection; `pythonMllp`
 * drives its `MLLPClient` socket to send frames split or coalesced and
 * reads the ACKs back with python-hl7's own parser.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const MLLP_SEND = '/usr/bin/mllp_send';

/** Fails with the fix when python3-hl7 is missing (CI installs it). */
export function requirePythonHl7(): void {
  if (!existsSync(MLLP_SEND) || !existsSync(PYTHON)) {
    throw new Error('python3-hl7 is missing: run `apt-get install -y python3-hl7` (.ci/run does)');
  }
}

function run(file: string, args: string[], input: Buffer | string, timeoutMs = 60_000) {
  return new Promise<{ stdout: Buffer; stderr: string; code: number }>((resolve) => {
    const child = execFile(
      file,
      args,
      { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({
          stdout,
          stderr: stderr.toString('utf8'),
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
        });
      },
    );
    child.stdin?.end(input);
  });
}

/**
 * Sends messages with `mllp_send` over one connection (it frames each one,
 * waits for its reply, prints it); returns the replies' texts in order.
 *
 * @example
 * const acks = await mllpSend(port, [adt({ … }), adt({ … })]);
 */
export async function mllpSend(port: number, messages: readonly string[]): Promise<string[]> {
  // mllp_send reads a file of framed messages and splits it at FS (its stdin
  // path is text-mode under Python 3 and cannot read frames).
  const dir = await mkdtemp(join(tmpdir(), 'cb-mllp-send-'));
  const file = join(dir, 'messages.mllp');
  try {
    await writeFile(
      file,
      Buffer.concat(
        messages.map((m) =>
          Buffer.concat([Buffer.from([0x0b]), Buffer.from(m, 'utf8'), Buffer.from([0x1c, 0x0d])]),
        ),
      ),
    );
    const args = ['-p', String(port), '-f', file, '127.0.0.1'];
    const { stdout, stderr, code } = await run(MLLP_SEND, args, '');
    if (code !== 0) throw new Error(`mllp_send failed (${code}): ${stderr.slice(-800)}`);
    // Each reply is printed as received (VT … FS CR), then a newline.
    return stdout
      .toString('utf8')
      .split('\x1c\r\n')
      .filter((reply) => reply.includes('MSH'))
      .map((reply) => reply.slice(reply.indexOf('MSH')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SCRIPT = String.raw`
import json, sys, time, socket
import hl7
from hl7.client import MLLPClient
SB, EB, CR = b"\x0b", b"\x1c", b"\x0d"
job = json.load(sys.stdin)
client = MLLPClient("127.0.0.1", job["port"])
sock = client.socket
sock.settimeout(20)
frames = [SB + m.encode("utf-8") + EB + CR for m in job["messages"]]
if job["mode"] == "split":
    for frame in frames:
        for i in range(0, len(frame), job["chunk"]):
            sock.sendall(frame[i:i + job["chunk"]])
            time.sleep(0.002)
elif job["mode"] == "coalesced":
    sock.sendall(b"".join(frames))
elif job["mode"] == "raw":
    sock.sendall(bytes.fromhex(job["hex"]))
buffer = b""
acks = []
closed = False
while len(acks) < job["expect"]:
    try:
        data = sock.recv(65536)
    except (ConnectionResetError, socket.timeout):
        closed = True
        break
    if not data:
        closed = True
        break
    buffer += data
    while EB in buffer:
        frame, _, buffer = buffer.partition(EB)
        buffer = buffer[1:] if buffer[:1] == CR else buffer
        message = hl7.parse(frame.strip(SB).decode("utf-8"))
        acks.append({"code": str(message.segment("MSA")[1]), "controlId": str(message.segment("MSA")[2])})
if job["expect"] == 0:
    try:
        closed = sock.recv(1) == b""
    except (ConnectionResetError, socket.timeout):
        closed = True
print(json.dumps({"acks": acks, "closed": closed}))
client.close()
`;

/**
 * What the python client saw: each ACK's MSA-1 and MSA-2 (parsed by
 * python-hl7), and whether the listener closed the connection.
 *
 * @example
 * const { acks, closed }: PythonMllpResult = await pythonMllp({ port, mode: 'coalesced', messages, expect: 3 });
 */
export interface PythonMllpResult {
  acks: { code: string; controlId: string }[];
  closed: boolean;
}

/**
 * Sends frames split into `chunk`-byte writes, all in one write, or raw
 * bytes, then reads `expect` ACKs (or, with 0, waits for the close).
 *
 * @example
 * await pythonMllp({ port, mode: 'split', chunk: 7, messages: [text], expect: 1 });
 */
export async function pythonMllp(job: {
  port: number;
  mode: 'split' | 'coalesced' | 'raw';
  messages?: readonly string[];
  chunk?: number;
  hex?: string;
  expect: number;
}): Promise<PythonMllpResult> {
  const { stdout, stderr, code } = await run(
    PYTHON,
    ['-c', SCRIPT],
    JSON.stringify({ messages: [], chunk: 64, hex: '', ...job }),
  );
  if (code !== 0) throw new Error(`python-hl7 client failed (${code}): ${stderr.slice(0, 800)}`);
  return JSON.parse(stdout.toString('utf8')) as PythonMllpResult;
}
