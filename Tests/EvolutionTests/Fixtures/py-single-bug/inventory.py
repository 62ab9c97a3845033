"""Stock keeping for a small warehouse: receive goods, ship orders, know what to reorder."""

from dataclasses import dataclass


class OutOfStock(Exception):
    """Raised when an order asks for more units than the warehouse holds."""


@dataclass
class Item:
    sku: str
    quantity: int = 0
    reorder_level: int = 0


class Inventory:
    def __init__(self):
        self._items = {}

    def receive(self, sku, quantity, reorder_level=None):
        """Add `quantity` units of `sku`; optionally (re)set its reorder level."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        item = self._items.setdefault(sku, Item(sku))
        item.quantity += quantity
        if reorder_level is not None:
            item.reorder_level = reorder_level

    def ship(self, sku, quantity):
        """Take `quantity` units of `sku` out of stock."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        available = self.quantity(sku)
        if quantity >= available:
            raise OutOfStock(f"{sku}: asked for {quantity}, only {available} in stock")
        self._items[sku].quantity -= quantity

    def quantity(self, sku):
        item = self._items.get(sku)
        return item.quantity if item else 0

    def can_fulfil(self, order):
        """True if every line of `order` ({sku: quantity}) can be shipped right now."""
        return all(self.quantity(sku) >= qty for sku, qty in order.items())

    def to_reorder(self):
        """SKUs at or below their reorder level, sorted."""
        return sorted(sku for sku, item in self._items.items() if item.quantity <= item.reorder_level)

    def total_units(self):
        return sum(item.quantity for item in self._items.values())
