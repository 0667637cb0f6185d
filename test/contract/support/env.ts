/** Runs `act` with `env` in force (for what is read at the first request, not at load). */
export async function withEnv<T>(env: Record<string, string>, act: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await act();
  } finally {
    restoreEnv(saved);
  }
}

function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
