package dev.hallmark.db;

import java.sql.SQLException;

/** An unchecked wrapper for a JDBC failure; the SQLState tells callers whether it was a conflict. */
public final class DatabaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatabaseException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    /** The SQLState of the underlying failure, or null. */
    public String sqlState() {
        return ((SQLException) getCause()).getSQLState();
    }

    /**
     * True when retrying the whole transaction may succeed: a deadlock or serialization failure (SQLState class 40 on
     * H2 and PostgreSQL) or a lock wait that timed out (H2 {@code HYT00}, PostgreSQL {@code 55P03}).
     */
    public boolean isTransient() {
        String state = sqlState();
        return state != null && (state.startsWith("40") || "HYT00".equals(state) || "55P03".equals(state));
    }

    /** True for a unique or primary-key violation (SQLState 23505 on both H2 and PostgreSQL). */
    public boolean isUniqueViolation() {
        return "23505".equals(sqlState());
    }
}
