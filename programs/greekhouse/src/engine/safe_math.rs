//! Checked integer arithmetic that says where it failed. Every ledger movement goes through
//! these: an overflow or underflow logs the caller's file and line (`#[track_caller]`) and
//! returns [`GreekhouseError::MathOverflow`], so a failing transaction's logs name the exact
//! step instead of one of twenty call sites. [`Cast`] does the same for integer conversions:
//! `engine/` and `instructions/` deny clippy's lossy-cast lints, so a narrowing or
//! sign-changing conversion there is `x.cast::<T>()?` and a widening one is `T::from(x)`.

use crate::prelude::*;

use crate::errors::GreekhouseError;

/// Checked `+`, `-`, `*` with the caller's location in the log on failure.
pub trait SafeMath: Sized + Copy {
    fn safe_add(self, rhs: Self) -> Result<Self>;
    fn safe_sub(self, rhs: Self) -> Result<Self>;
    fn safe_mul(self, rhs: Self) -> Result<Self>;
}

#[cold]
#[track_caller]
fn overflow(op: &str) -> Error {
    let at = core::panic::Location::caller();
    msg!("math overflow in {} at {}:{}", op, at.file(), at.line());
    error!(GreekhouseError::MathOverflow)
}

macro_rules! impl_safe_math {
    ($($t:ty),*) => {$(
        impl SafeMath for $t {
            #[inline]
            #[track_caller]
            fn safe_add(self, rhs: Self) -> Result<Self> {
                match self.checked_add(rhs) {
                    Some(v) => Ok(v),
                    None => Err(overflow("add")),
                }
            }
            #[inline]
            #[track_caller]
            fn safe_sub(self, rhs: Self) -> Result<Self> {
                match self.checked_sub(rhs) {
                    Some(v) => Ok(v),
                    None => Err(overflow("sub")),
                }
            }
            #[inline]
            #[track_caller]
            fn safe_mul(self, rhs: Self) -> Result<Self> {
                match self.checked_mul(rhs) {
                    Some(v) => Ok(v),
                    None => Err(overflow("mul")),
                }
            }
        }
    )*};
}

impl_safe_math!(u32, u64, i64, u128, i128);

/// Checked integer conversion (Drift's `Cast` is the model): `x.cast::<T>()` is
/// `T::try_from(x)`, but a value that does not fit logs the caller's file and line and returns
/// [`GreekhouseError::MathOverflow`] instead of wrapping as `x as T` would.
pub trait Cast: Sized + Copy {
    #[inline]
    #[track_caller]
    fn cast<T>(self) -> Result<T>
    where
        T: TryFrom<Self>,
    {
        match T::try_from(self) {
            Ok(v) => Ok(v),
            Err(_) => Err(cast_failed(
                core::any::type_name::<Self>(),
                core::any::type_name::<T>(),
            )),
        }
    }
}

#[cold]
#[track_caller]
fn cast_failed(from: &str, to: &str) -> Error {
    let at = core::panic::Location::caller();
    msg!(
        "math overflow in cast {} -> {} at {}:{}",
        from,
        to,
        at.file(),
        at.line()
    );
    error!(GreekhouseError::MathOverflow)
}

impl Cast for u8 {}
impl Cast for u16 {}
impl Cast for u32 {}
impl Cast for u64 {}
impl Cast for u128 {}
impl Cast for usize {}
impl Cast for i8 {}
impl Cast for i16 {}
impl Cast for i32 {}
impl Cast for i64 {}
impl Cast for i128 {}

/// `u64` as `i64`, failing with the caller's location when it does not fit.
#[inline]
#[track_caller]
pub fn to_signed(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| overflow("u64 -> i64"))
}

/// `10^exp` (token decimals, oracle exponents): the risk crate's
/// [`greekhouse_risk::fixed::pow10`], failing with the caller's location when it leaves `i128`.
#[inline]
#[track_caller]
pub fn pow10(exp: u32) -> Result<i128> {
    match greekhouse_risk::fixed::pow10(exp) {
        Some(v) => Ok(v),
        None => Err(overflow("10^exp")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_ops_succeed_and_fail() {
        assert_eq!(2u64.safe_add(3).unwrap(), 5);
        assert_eq!(5i64.safe_sub(7).unwrap(), -2);
        assert_eq!(6u128.safe_mul(7).unwrap(), 42);
        assert!(u64::MAX.safe_add(1).is_err());
        assert!(0u64.safe_sub(1).is_err());
        assert!(i64::MIN.safe_sub(1).is_err());
        assert!(u64::MAX.safe_mul(2).is_err());
        assert!(to_signed(u64::MAX).is_err());
        assert_eq!(to_signed(7).unwrap(), 7);
        assert_eq!(pow10(6).unwrap(), 1_000_000);
        assert!(pow10(39).is_err());
    }

    #[test]
    fn cast_converts_when_it_fits_and_fails_otherwise() {
        assert_eq!(7u64.cast::<u8>().unwrap(), 7u8);
        assert_eq!(255u64.cast::<u8>().unwrap(), u8::MAX);
        assert_eq!(u64::MAX.cast::<u128>().unwrap(), u128::from(u64::MAX));
        assert_eq!((-3i64).cast::<i32>().unwrap(), -3);
        assert_eq!(5i128.cast::<u64>().unwrap(), 5);
        assert_eq!(9usize.cast::<u8>().unwrap(), 9);
        let too_big = 256u64.cast::<u8>().unwrap_err();
        assert_eq!(too_big, GreekhouseError::MathOverflow.into());
        assert!((-1i64).cast::<u64>().is_err());
        assert!(u64::MAX.cast::<i64>().is_err());
        assert!((u128::from(u64::MAX) + 1).cast::<u64>().is_err());
        assert!(i128::MIN.cast::<i64>().is_err());
    }
}
