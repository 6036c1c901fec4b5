package dev.flotilla.sample.common;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done with a JDBC connection.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface SqlWork<T> {
    /**
     * Does the work.
     *
     * @param connection the connection, not to be closed by the work
     * @return the result
     * @throws SQLException if the database fails
     */
    T apply(Connection connection) throws SQLException;
}
