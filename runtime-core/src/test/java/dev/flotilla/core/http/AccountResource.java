package dev.flotilla.core.http;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The served side of {@link AccountApi}; counts the calls that reach it. */
final class AccountResource implements AccountApi {
    final Map<Long, Account> accounts = new ConcurrentHashMap<>();
    final Map<Long, Boolean> closed = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public Account open(NewAccount request) {
        calls.incrementAndGet();
        if (accounts.values().stream().anyMatch(a -> a.email().equals(request.email()))) {
            throw new DuplicateAccountException("An account with e-mail " + request.email() + " exists");
        }
        Account account = new Account(ids.incrementAndGet(), request.name(), request.email(), request.nickname());
        accounts.put(account.id(), account);
        return account;
    }

    @Override
    public Account get(long id, String view, String tenant) {
        calls.incrementAndGet();
        Account account = accounts.get(id);
        if (account == null) {
            throw new UnknownAccountException("No account " + id);
        }
        return account;
    }

    @Override
    public List<Account> search(String name, int limit, List<String> tags) {
        calls.incrementAndGet();
        return accounts.values().stream().filter(a -> a.name().equals(name)).limit(limit).toList();
    }

    @Override
    public void close(long id) {
        calls.incrementAndGet();
        get(id, null, null);
        if (closed.putIfAbsent(id, true) != null) {
            throw new AccountClosedException("Account " + id + " is closed already");
        }
    }

    @Override
    public Account leaky(long id) {
        calls.incrementAndGet();
        return get(id, null, null);
    }
}
