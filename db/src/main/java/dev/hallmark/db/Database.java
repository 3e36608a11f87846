package dev.hallmark.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The connection pool and schema. Opens a HikariCP pool on an H2 file (the embedded default) or PostgreSQL URL
 * and brings the schema up to date with Flyway; the same migrations run unchanged on both.
 * Thread-safe; one per process.
 */
public final class Database implements AutoCloseable {

    /** The SQL dialects the migrations and queries are written for. */
    public enum Dialect { H2, POSTGRESQL }

    private final HikariDataSource dataSource;
    private final Dialect dialect;

    private Database(HikariDataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /**
     * Opens the pool and migrates the schema.
     *
     * @param url      a {@code jdbc:h2:} or {@code jdbc:postgresql:} URL
     * @param user     may be null
     * @param password may be null; never logged
     * @param poolSize maximum connections
     */
    public static Database open(String url, String user, String password, int poolSize) {
        Dialect dialect;
        if (url.startsWith("jdbc:h2:")) {
            dialect = Dialect.H2;
        } else if (url.startsWith("jdbc:postgresql:")) {
            dialect = Dialect.POSTGRESQL;
        } else {
            throw new IllegalArgumentException("database.url must start with jdbc:h2: or jdbc:postgresql:");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(dialect == Dialect.H2 ? withH2Defaults(url) : url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setPoolName("hallmark-db");
        config.setAutoCommit(true);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource ds = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds, dialect);
    }

    /**
     * H2 re-parses any statement that is not in its per-session cache of parsed statements, which holds 8 by default;
     * one ACME issuance alone runs a few dozen distinct statements, so parsing was 7 % of the server's CPU under
     * bench/acme-load. A URL that sets {@code QUERY_CACHE_SIZE} itself is left alone.
     */
    static String withH2Defaults(String url) {
        return url.toUpperCase(java.util.Locale.ROOT).contains(";QUERY_CACHE_SIZE=") ? url : url + ";QUERY_CACHE_SIZE=" + H2_QUERY_CACHE;
    }

    /** Parsed statements H2 keeps per connection: more than the distinct statements Hallmark runs. */
    static final int H2_QUERY_CACHE = 256;

    public DataSource dataSource() {
        return dataSource;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    /** Runs read-only {@code work} on a pooled connection in auto-commit mode. */
    public <T> T read(SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    /** True when a connection can be borrowed and answers (for {@code /readyz}). */
    public boolean isAvailable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** A unit of JDBC work. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }
}
