package dev.hallmark.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the shaded jar and third-party tools (openssl, certtool, pkcs11-tool, curl, dpkg-deb) as child processes, as a
 * user would.
 */
final class Processes {
    private Processes() {
    }

    /** What a finished process left behind. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    /** The shaded jar under test. */
    static Path jar() {
        return Path.of(System.getProperty("hallmark.jar", "target/hallmark.jar"));
    }

    /** Runs {@code java -jar hallmark.jar args...}. */
    static Result hallmark(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return run(env, cmd);
    }

    /** Runs a command and waits (at most two minutes). */
    static Result run(Map<String, String> env, List<String> cmd) {
        try {
            Path out = Files.createTempFile("proc", ".out");
            Path err = Files.createTempFile("proc", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Runs a command with the inherited environment. */
    static Result run(String... cmd) {
        return run(Map.of(), List.of(cmd));
    }

    /**
     * Ports free right now, bound together and then released for the server under test to take. They are drawn below
     * Linux's ephemeral range (32768 and up): a port the kernel handed out for port 0 can be handed out again to an
     * outgoing connection before the server binds it ("Address already in use", seen once in CI).
     */
    static int[] freePorts(int n) throws java.io.IOException {
        java.util.List<java.net.ServerSocket> sockets = new java.util.ArrayList<>();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                for (int attempt = 0; ; attempt++) {
                    try {
                        java.net.ServerSocket s = new java.net.ServerSocket(random.nextInt(20_000, 32_000));
                        sockets.add(s);
                        ports[i] = s.getLocalPort();
                        break;
                    } catch (java.net.BindException taken) {
                        if (attempt == 100) {
                            throw taken;
                        }
                    }
                }
            }
            return ports;
        } finally {
            for (java.net.ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    /** Runs {@code openssl args...} and asserts it succeeded. */
    static Result openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Result r = run(Map.of(), cmd);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    /** Whether an executable of that name is on {@code PATH}. */
    static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts {@code java -jar hallmark.jar args...} in the background (a server), its output going to files so it
     * can never block on a full pipe.
     */
    static Running start(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("server", ".out");
            Path err = Files.createTempFile("server", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            return new Running(pb.start(), out, err);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e.getMessage(), e);
        }
    }

    /** A background process and the files its output goes to. */
    record Running(Process process, Path out, Path err) {
        /** What it printed so far. */
        String stdout() {
            return read(out);
        }

        /** Its stdout and stderr so far, for failure messages. */
        String output() {
            return (process.isAlive() ? "running" : "exit " + process.exitValue()) + "\n--- stdout\n" + read(out)
                    + "\n--- stderr\n" + read(err);
        }

        /**
         * Sends SIGTERM (what {@code systemctl stop} and {@code docker stop} send) and waits for the exit.
         *
         * @return the exit code, or empty when it did not exit in time (it is then killed)
         */
        java.util.OptionalInt terminate(java.time.Duration wait) throws InterruptedException {
            process.destroy();
            if (process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return java.util.OptionalInt.of(process.exitValue());
            }
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return java.util.OptionalInt.empty();
        }

        /** Kills it if still running and deletes the output files. */
        void cleanUp() throws IOException, InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e.getMessage() + ")";
            }
        }
    }
}
