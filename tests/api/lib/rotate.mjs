// hongyan rotate-key in a test: stop the server, re-seal everything under a
// fresh data key, start the server again on that key. Resolves the
// command's result ({status, stdout, stderr}).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export async function rotateAndRestart(srv, keyName) {
  const newKey = path.join(srv.dir, keyName);
  fs.writeFileSync(newKey, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const res = await srv.terminate();
  assert.ok(res && res.code === 0, `server stop: ${JSON.stringify(res)}`);
  const rot = srv.run(['rotate-key', '--db', srv.dbUrl, '--new-key-file', newKey]);
  assert.equal(rot.status, 0, rot.stderr);
  Object.assign(srv.env, { HONGYAN_DATA_KEY_FILE: newKey });
  srv.stopping = false;
  srv.exited = null;
  await srv.launch();
  return rot;
}
