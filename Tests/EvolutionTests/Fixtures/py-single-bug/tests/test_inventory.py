import pytest

from inventory import Inventory, OutOfStock


@pytest.fixture
def stock():
    inv = Inventory()
    inv.receive("apple", 10, reorder_level=3)
    inv.receive("pear", 4, reorder_level=5)
    return inv


def test_receive_adds_units(stock):
    stock.receive("apple", 5)
    assert stock.quantity("apple") == 15


def test_unknown_sku_has_no_stock(stock):
    assert stock.quantity("kiwi") == 0


def test_receive_rejects_non_positive_quantity(stock):
    with pytest.raises(ValueError):
        stock.receive("apple", 0)


def test_ship_removes_units(stock):
    stock.ship("apple", 4)
    assert stock.quantity("apple") == 6


def test_ship_whole_stock(stock):
    stock.ship("pear", 4)
    assert stock.quantity("pear") == 0


def test_ship_more_than_stock_fails(stock):
    with pytest.raises(OutOfStock):
        stock.ship("apple", 11)
    assert stock.quantity("apple") == 10


def test_ship_unknown_sku_fails(stock):
    with pytest.raises(OutOfStock):
        stock.ship("kiwi", 1)


def test_can_fulfil_order(stock):
    assert stock.can_fulfil({"apple": 10, "pear": 4})
    assert not stock.can_fulfil({"apple": 11})


def test_to_reorder_includes_items_at_level(stock):
    stock.ship("apple", 7)
    assert stock.to_reorder() == ["apple", "pear"]


def test_shipping_everything_triggers_reorder(stock):
    stock.ship("apple", 10)
    assert "apple" in stock.to_reorder()


def test_total_units(stock):
    stock.receive("plum", 6)
    assert stock.total_units() == 20


def test_orders_can_drain_stock_in_batches(stock):
    stock.ship("apple", 6)
    stock.ship("apple", 4)
    assert stock.quantity("apple") == 0
    assert stock.total_units() == 4
