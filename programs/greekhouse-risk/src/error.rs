//! Typed errors of the risk engine. Each failure has its own variant so the program can map
//! it to its own error code and an operator can tell what went wrong.

/// Everything the risk engine can refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RiskError {
    /// A checked add, sub, mul or conversion overflowed its integer type.
    Overflow = 0,
    /// Division by zero.
    DivisionByZero = 1,
    /// `ln` or `sqrt` of a non-positive (resp. negative) argument.
    DomainError = 2,
    /// Spot or strike not strictly positive.
    NonPositivePrice = 3,
    /// Volatility not strictly positive or above the supported maximum.
    InvalidVolatility = 4,
    /// Rate outside the supported range.
    InvalidRate = 5,
    /// Vol-surface parameters fail validation (tenors unsorted, too many, vols out of range...).
    InvalidSurface = 6,
    /// A position refers to an underlying index that is not in the account's underlying slice.
    UnknownUnderlying = 7,
    /// More distinct underlyings than [`crate::margin::MAX_UNDERLYINGS`].
    TooManyUnderlyings = 8,
    /// Margin parameters fail validation (shocks out of order, weights above one...).
    InvalidMarginParams = 9,
    /// Auction parameters fail validation.
    InvalidAuctionParams = 10,
    /// A fraction outside (0, 1].
    InvalidFraction = 11,
    /// Collateral weights fail [`crate::margin::validate_collateral_weights`] (outside [0, 1],
    /// init above maint, or the haircut of an unshocked volatile asset below the spot shock
    /// plus its confidence).
    InvalidCollateralWeight = 12,
}
