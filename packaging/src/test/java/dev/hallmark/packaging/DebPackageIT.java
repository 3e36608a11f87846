package dev.hallmark.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hallmark.config.HallmarkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package built by jdeb, inspected with Debian's own tools ({@code dpkg-deb}, {@code systemd-analyze},
 * {@code sh}) without installing it: what it installs and with which modes, its control fields and conffiles, its
 * maintainer scripts, and its systemd unit.
 */
class DebPackageIT {
    private static final Path UNIT = Path.of("lib/systemd/system/hallmark.service");
    private static final Path LAUNCHER = Path.of("usr/bin/hallmark");
    private static final Path JAR = Path.of("usr/share/hallmark/hallmark.jar");
    private static final Path ENV_FILE = Path.of("etc/hallmark/hallmark.env");

    @TempDir
    static Path tmp;
    static Path deb;
    static Path root;
    static Path control;

    @BeforeAll
    static void unpack() {
        deb = Path.of(System.getProperty("hallmark.deb.dir", "target")).resolve("hallmark_" + debianVersion() + "_all.deb");
        assertThat(deb).as("built by the jdeb execution in the package phase").isRegularFile();
        root = tmp.resolve("root");
        control = tmp.resolve("control");
        ok(Processes.run("dpkg-deb", "-x", deb.toString(), root.toString()));
        ok(Processes.run("dpkg-deb", "-e", deb.toString(), control.toString()));
    }

    /** 0.1.0-SNAPSHOT becomes 0.1.0~SNAPSHOT: a valid Debian version that sorts before the 0.1.0 release. */
    static String debianVersion() {
        return System.getProperty("hallmark.version", "0.1.0-SNAPSHOT").replace("-SNAPSHOT", "~SNAPSHOT");
    }

    @Test
    void controlFieldsDescribeAnArchitectureIndependentPackageNeedingJava17() {
        assertThat(field("Package")).isEqualTo("hallmark");
        assertThat(field("Version")).isEqualTo(debianVersion());
        ok(Processes.run("dpkg", "--validate-version", field("Version")));
        Processes.Result older = Processes.run("dpkg", "--compare-versions", field("Version"), "lt",
                debianVersion().replace("~SNAPSHOT", ""));
        assertThat(older.exit()).as("a snapshot sorts before its release").isZero();
        assertThat(field("Architecture")).isEqualTo("all");
        assertThat(field("Depends")).contains("default-jre-headless (>= 2:1.17) | java17-runtime-headless")
                .contains("adduser");
        assertThat(field("Maintainer")).matches(".+ <[^>]+@[^>]+>");
        assertThat(field("Installed-Size")).matches("[0-9]+");
        assertThat(field("Description")).isNotBlank();
        Processes.Result info = ok(Processes.run("dpkg-deb", "-I", deb.toString()));
        assertThat(info.out()).contains("postinst").contains("prerm").contains("postrm").contains("conffiles");
    }

    @Test
    void installsTheJarLauncherUnitAndDefaultConfigurationOwnedByRootWithTheirModes() throws IOException {
        Processes.Result listing = ok(Processes.run("dpkg-deb", "-c", deb.toString()));
        Map<String, String> modes = new java.util.HashMap<>();
        Matcher m = Pattern.compile("(?m)^([-dl][rwxsStT-]{9}) (\\S+)\\s+\\d+ \\S+ \\S+ \\./(\\S*)$").matcher(listing.out());
        while (m.find()) {
            assertThat(m.group(2)).as("owner of " + m.group(3)).isEqualTo("root/root");
            modes.put(m.group(3), m.group(1));
        }
        assertThat(modes).containsEntry(JAR.toString(), "-rw-r--r--")
                .containsEntry(LAUNCHER.toString(), "-rwxr-xr-x")
                .containsEntry(UNIT.toString(), "-rw-r--r--")
                .containsEntry(ENV_FILE.toString(), "-rw-r-----")
                .containsEntry("usr/share/doc/hallmark/PACKAGING.md", "-rw-r--r--");
        assertThat(modes.keySet()).as("the package never ships the data directory: postinst creates it 0700")
                .noneMatch(p -> p.startsWith("var/"));

        assertThat(Files.mismatch(root.resolve(JAR), Processes.jar())).as("the shaded jar, unchanged").isEqualTo(-1L);
        assertThat(Files.isExecutable(root.resolve(LAUNCHER))).isTrue();
        assertThat(Files.readString(root.resolve(LAUNCHER))).startsWith("#!/bin/sh\n")
                .contains("/usr/share/hallmark/hallmark.jar");
        ok(Processes.run("sh", "-n", root.resolve(LAUNCHER).toString()));
    }

    @Test
    void packagedLauncherRunsThePackagedJar() {
        // The launcher hard-codes /usr/share/hallmark/hallmark.jar; HALLMARK_JAR points it at the unpacked copy.
        Processes.Result version = Processes.run(Map.of("HALLMARK_JAR", root.resolve(JAR).toString(),
                "JAVA_HOME", System.getProperty("java.home")), List.of(root.resolve(LAUNCHER).toString(), "--version"));
        ok(version);
        assertThat(version.out()).contains(System.getProperty("hallmark.version", "0.1.0-SNAPSHOT"));
    }

    @Test
    void defaultConfigurationIsAConffileOfCommentedListenerDefaults() throws IOException {
        assertThat(Files.readAllLines(control.resolve("conffiles"))).containsExactly("/" + ENV_FILE);
        List<String> lines = Files.readAllLines(root.resolve(ENV_FILE));
        assertThat(lines).as("nothing is set by default: every line is a comment or blank")
                .allMatch(l -> l.isBlank() || l.startsWith("#"));
        assertThat(lines).contains("#HALLMARK_HTTPS_HOST=0.0.0.0", "#HALLMARK_HTTPS_PORT=8443",
                "#HALLMARK_HTTP_HOST=0.0.0.0", "#HALLMARK_HTTP_PORT=8080",
                "#HALLMARK_MANAGEMENT_HOST=127.0.0.1", "#HALLMARK_MANAGEMENT_PORT=9090");
        // Every configuration variable named there is one the server reads (a typo would be silently ignored).
        List<String> known = HallmarkConfig.OVERRIDABLE_KEYS.stream().map(HallmarkConfig::environmentName).toList();
        List<String> named = lines.stream().map(l -> l.replaceFirst("^#", ""))
                .filter(l -> l.matches("HALLMARK_[A-Z0-9_]+=.*")).map(l -> l.substring(0, l.indexOf('=')))
                .filter(n -> !n.equals("HALLMARK_JAVA_OPTS")).toList();
        assertThat(named).hasSizeGreaterThan(6);
        assertThat(known).containsAll(named);
    }

    @Test
    void maintainerScriptsAreExecutablePosixShell() throws IOException {
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path p = control.resolve(script);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(script).isEqualTo("rwxr-xr-x");
            assertThat(Files.readString(p)).as(script).startsWith("#!/bin/sh\n").contains("set -e").doesNotContain("[[");
            ok(Processes.run("sh", "-n", p.toString()));
        }
    }

    @Test
    void postinstCreatesTheSystemUserAndAPrivateDataDirectoryButNeverInitialisesOrEnables() throws IOException {
        // The script runs against stub commands that only record their arguments: PATH holds nothing else, so an
        // unexpected command fails the script. What it would do to the real system is read from the record.
        Path log = tmp.resolve("postinst.log");
        Path bin = stubs(tmp.resolve("stubs-fresh"), log, 2);
        ok(Processes.run(Map.of("PATH", bin.toString()), List.of("/bin/sh", control.resolve("postinst").toString(), "configure")));
        List<String> calls = Files.readAllLines(log);
        assertThat(calls).contains("getent passwd hallmark");
        assertThat(calls).anyMatch(c -> c.startsWith("adduser --system --group --home /var/lib/hallmark ")
                && c.endsWith(" hallmark"));
        if (!Files.isDirectory(Path.of("/var/lib/hallmark"))) {
            assertThat(calls).contains("install -d -m 0700 -o hallmark -g hallmark /var/lib/hallmark");
        }
        assertThat(calls).noneMatch(c -> c.contains("enable") || c.contains(" start") || c.contains("init"));

        Files.delete(log);
        Path existing = stubs(tmp.resolve("stubs-upgrade"), log, 0);
        ok(Processes.run(Map.of("PATH", existing.toString()), List.of("/bin/sh", control.resolve("postinst").toString(),
                "configure", "0.0.1")));
        assertThat(Files.readAllLines(log)).as("an existing user is kept").noneMatch(c -> c.startsWith("adduser"));
    }

    @Test
    void purgeKeepsTheCaData() throws IOException {
        Path log = tmp.resolve("postrm.log");
        Path bin = stubs(tmp.resolve("stubs-purge"), log, 0);
        Processes.Result purge = ok(Processes.run(Map.of("PATH", bin.toString()),
                List.of("/bin/sh", control.resolve("postrm").toString(), "purge")));
        List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
        assertThat(calls).noneMatch(c -> c.contains("/var/lib/hallmark"));
        assertThat(purge.err()).isEmpty();
        ok(Processes.run(Map.of("PATH", bin.toString()), List.of("/bin/sh", control.resolve("prerm").toString(), "remove")));
    }

    /**
     * {@code systemd-analyze verify} (systemd 252 on bookworm) loads the unit as PID 1 would and reports unknown
     * directives, unparsable values, unknown dependencies and an {@code ExecStart=} binary that is missing or not
     * executable. Warnings do not change its exit code, so any output fails the test. It runs on a copy whose
     * {@code ExecStart=} path is rewritten to the unpacked launcher (so the packaged file's path and mode are what is
     * checked) and with the host's unit directories for targets. Not verified here: that the {@code hallmark} user
     * exists, the contents of the environment file, and that the JVM runs under the sandbox (that needs a booted
     * systemd). {@code systemd-analyze security --offline} then keeps the sandbox's exposure rated "OK" or better.
     */
    @Test
    void systemdUnitVerifiesAndIsHardened() throws IOException {
        assumeTrue(Processes.onPath("systemd-analyze"), "systemd-analyze is not installed (./run-tests installs systemd)");
        String unit = Files.readString(root.resolve(UNIT));
        assertThat(unit).contains("\nExecStart=/usr/bin/hallmark serve --data /var/lib/hallmark\n",
                "\nUser=hallmark\n", "\nEnvironmentFile=-/etc/hallmark/hallmark.env\n", "\nNoNewPrivileges=yes\n",
                "\nProtectSystem=strict\n", "\nReadWritePaths=/var/lib/hallmark\n", "\nPrivateTmp=yes\n",
                "\nProtectHome=yes\n", "\nCapabilityBoundingSet=\n", "\nRestart=on-failure\n",
                "\nConditionPathExists=/var/lib/hallmark/hallmark.yaml\n");
        Matcher stop = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)s$").matcher(unit);
        assertThat(stop.find()).isTrue();
        assertThat(Integer.parseInt(stop.group(1))).as("above the 20 s drain grace").isGreaterThan(20);

        Path dir = Files.createDirectories(tmp.resolve("unit"));
        Path copy = Files.writeString(dir.resolve("hallmark.service"), unit.replace("\nExecStart=/usr/bin/hallmark ",
                "\nExecStart=" + root.resolve(LAUNCHER) + " "));
        Processes.Result verify = Processes.run("systemd-analyze", "verify", copy.toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out() + verify.err()).as("no warning at all").isBlank();

        Processes.Result security = Processes.run("systemd-analyze", "security", "--offline=true", "--threshold=20",
                "--no-pager", copy.toString());
        assertThat(security.exit()).as(security.toString()).isZero();
    }

    /** A directory of stub commands that append "name args" to {@code log}; {@code getent} exits {@code getentExit}. */
    private static Path stubs(Path dir, Path log, int getentExit) throws IOException {
        Files.createDirectories(dir);
        for (String name : List.of("getent", "adduser", "install", "systemctl", "rmdir", "chown", "chmod")) {
            int exit = name.equals("getent") ? getentExit : 0;
            Path stub = dir.resolve(name);
            Files.writeString(stub, "#!/bin/sh\necho \"" + name + " $*\" >> '" + log + "'\nexit " + exit + "\n");
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return dir;
    }

    private static String field(String name) {
        return ok(Processes.run("dpkg-deb", "-f", deb.toString(), name)).out().strip();
    }

    private static Processes.Result ok(Processes.Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }
}
