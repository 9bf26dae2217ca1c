package dev.switchboard.broker;

class InMemoryRevocationListTest extends RevocationListContract {

    private final InMemoryRevocationList list = new InMemoryRevocationList(clock, CAPACITY);

    @Override
    protected RevocationList list() {
        return list;
    }
}
