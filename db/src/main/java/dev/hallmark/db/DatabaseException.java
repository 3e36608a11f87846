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

    /** True for a unique or primary-key violation (SQLState 23505 on both H2 and PostgreSQL). */
    public boolean isUniqueViolation() {
        return "23505".equals(sqlState());
    }
}
