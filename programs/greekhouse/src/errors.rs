//! Every way an instruction can fail, each with its own code and message. Codes are Anchor's
//! `6000 + position`; `idl/greekhouse.json` lists them. New variants are appended at the end so
//! existing codes never change.

#[cfg(feature = "anchor")]
use anchor_lang::prelude::*;

/// Declares [`GreekhouseError`] from one list: Anchor's `#[error_code]` enum in the program, a
/// plain enum with the same order, names and messages in the no_std build.
macro_rules! declare_errors {
    ($( #[msg($msg:tt)] $name:ident, )*) => {
        #[cfg(feature = "anchor")]
        #[error_code]
        pub enum GreekhouseError {
            $( #[msg($msg)] $name, )*
        }

        #[cfg(not(feature = "anchor"))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum GreekhouseError {
            $( $name, )*
        }

        #[cfg(not(feature = "anchor"))]
        impl GreekhouseError {
            /// The variant's name, as Anchor's `name()` gives it in the program.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Self::$name => stringify!($name), )*
                }
            }
        }

        impl GreekhouseError {
            /// Every variant, in code order.
            pub const ALL: &'static [GreekhouseError] = &[$( GreekhouseError::$name, )*];

            /// The message the program logs with it (the IDL's `msg`).
            pub fn message(&self) -> &'static str {
                match self {
                    $( Self::$name => $msg, )*
                }
            }

            /// The program's error code: Anchor's `6000 + position`.
            pub fn code(&self) -> u32 {
                6000 + *self as u32
            }
        }
    };
}

declare_errors! {
    // --- authority and accounts ---
    #[msg("Signer is not the clearing house admin")]
    NotAdmin,
    #[msg("Signer is not the pending admin")]
    NotPendingAdmin,
    #[msg("No admin transfer is pending")]
    NoPendingAdmin,
    #[msg("Signer is neither the guardian nor the admin")]
    NotGuardian,
    #[msg("Signer is not the underlying's vol updater")]
    NotVolUpdater,
    #[msg("Signer is not the writer account's owner")]
    NotWriterOwner,
    #[msg("Account belongs to another clearing house")]
    WrongClearinghouse,
    #[msg("Mint is not the clearing house's quote mint")]
    WrongQuoteMint,
    #[msg("Vault is not the expected vault")]
    WrongVault,
    #[msg("Token program does not own this mint")]
    WrongTokenProgram,
    #[msg("Collateral asset account does not match the mint")]
    WrongCollateralAsset,
    #[msg("Quote deposits take no collateral asset account")]
    UnexpectedCollateralAsset,
    #[msg("Non-quote mints need their collateral asset account")]
    MissingCollateralAsset,
    #[msg("Account layout version is not supported")]
    UnsupportedVersion,
    #[msg("Account invariant violated")]
    InvariantViolated,

    // --- parameters ---
    #[msg("Parameter outside its hard bounds")]
    ParameterOutOfBounds,
    #[msg("Initial weight must not exceed maintenance weight")]
    WeightsOutOfOrder,
    #[msg("Initial-margin shocks must be at least the maintenance shocks")]
    MarginLevelsOutOfOrder,
    #[msg("Pause flags may only name risk-increasing actions")]
    NotPausable,
    #[msg("The quote mint is the numeraire, not a collateral asset")]
    QuoteMintIsNotCollateral,
    #[msg("Mint has a Token-2022 extension the ledger cannot handle")]
    UnsupportedMintExtension,
    #[msg("Mint has a freeze-by-default account state")]
    DefaultFrozenMint,
    #[msg("Vol surface fails validation")]
    InvalidVolSurface,
    #[msg("Vol surface update changes a point by more than the allowed step")]
    VolSurfaceStepTooLarge,
    #[msg("Unknown oracle kind")]
    InvalidOracleKind,
    #[msg("Collateral price source is not a listed underlying")]
    InvalidPriceSource,

    // --- oracle ---
    #[msg("Oracle account is not owned by the configured Pyth program")]
    OracleWrongOwner,
    #[msg("Oracle account is not the configured one for this underlying")]
    OracleWrongAccount,
    #[msg("Oracle account data cannot be parsed")]
    OracleInvalidData,
    #[msg("Price update is for another feed id")]
    OracleWrongFeedId,
    #[msg("Price update is not fully verified")]
    OraclePartialVerification,
    #[msg("Legacy price is not in trading status")]
    OracleNotTrading,
    #[msg("Oracle price is older than the allowed age")]
    OracleStale,
    #[msg("Oracle confidence interval is too wide")]
    OracleConfidenceTooWide,
    #[msg("Oracle price is not positive")]
    OracleNonPositivePrice,
    #[msg("Oracle publish time is older than the last accepted one")]
    OracleRollback,
    #[msg("Oracle exponent is out of range")]
    OracleBadExponent,

    // --- writer accounts and margin ---
    #[msg("Amount must be positive")]
    ZeroAmount,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("Collateral deposit cap reached")]
    DepositCapExceeded,
    #[msg("Writer account has no free collateral slot")]
    CollateralSlotsFull,
    #[msg("Writer account holds less of this collateral than requested")]
    InsufficientCollateral,
    #[msg("Writer account quote balance is lower than requested")]
    InsufficientQuote,
    #[msg("Equity at initial margin would be negative")]
    InitialMarginBreach,
    #[msg("Writer account is being liquidated or is bankrupt")]
    AccountNotActive,
    #[msg("Writer account still holds balances or positions")]
    AccountNotEmpty,
    #[msg("Margin accounts are missing, out of order or unexpected")]
    MarginAccountsMismatch,
    #[msg("Action is paused by the guardian")]
    Paused,
    #[msg("Vol surface is stale")]
    VolSurfaceStale,

    // --- series and writing ---
    #[msg("Series expiry is not in the future")]
    ExpiryInPast,
    #[msg("Series expiry is beyond the underlying's horizon")]
    ExpiryBeyondHorizon,
    #[msg("Series expiry is not on the underlying's expiry grid")]
    ExpiryOffGrid,
    #[msg("Strike must be positive")]
    ZeroStrike,
    #[msg("Strike is not on the underlying's tick")]
    StrikeOffTick,
    #[msg("Strike is outside the band around spot")]
    StrikeOutsideBand,
    #[msg("Contract size is not one the underlying allows")]
    InvalidContractSize,
    #[msg("Series has expired")]
    SeriesExpired,
    #[msg("Series does not belong to this underlying")]
    WrongUnderlying,
    #[msg("Option mint is not the series' mint")]
    WrongOptionMint,
    #[msg("Open-interest cap reached")]
    OpenInterestCapExceeded,
    #[msg("Writer account has no free position slot")]
    PositionSlotsFull,
    #[msg("Writer account has a smaller short in this series than requested")]
    InsufficientShort,
    #[msg("Token account is not owned by the signer")]
    WrongTokenOwner,
    #[msg("Token account holds another mint")]
    WrongTokenMint,
    #[msg("Option kind must be call (0) or put (1)")]
    InvalidOptionKind,

    // --- risk engine, one per RiskError ---
    #[msg("Risk engine: division by zero")]
    RiskDivisionByZero,
    #[msg("Risk engine: ln or sqrt outside its domain")]
    RiskDomain,
    #[msg("Risk engine: spot or strike not positive")]
    RiskNonPositivePrice,
    #[msg("Risk engine: volatility out of range")]
    RiskInvalidVolatility,
    #[msg("Risk engine: rate out of range")]
    RiskInvalidRate,
    #[msg("Too many underlyings for one margin check (positions and collateral together)")]
    RiskTooManyUnderlyings,
    #[msg("Risk engine: auction parameters invalid")]
    RiskInvalidAuctionParams,
    #[msg("Risk engine: fraction outside (0, 1]")]
    RiskInvalidFraction,

    // --- added after the first release of the codes; appended to keep codes stable ---
    #[msg("Oracle publish time is too far ahead of the cluster clock")]
    OracleFromFuture,
    #[msg("Oracle feed id or price account is not set")]
    OracleFeedNotSet,
    #[msg("Collateral mint decimals are too far from the quote mint's")]
    DecimalsGapTooLarge,
    #[msg("Account address already holds data or belongs to another program")]
    AccountAddressInUse,
    #[msg("Vault balance changed by a different amount than the ledger moved")]
    VaultDeltaMismatch,
    #[msg("Underlying ledger does not belong to this underlying")]
    WrongUnderlyingLedger,
    #[msg("Insurance fund does not belong to this clearing house")]
    WrongInsuranceFund,
    #[msg("No accrued fees to sweep")]
    NothingToSweep,
    #[msg("Mint's UI amount drifts from its raw amount (scaled UI amount or interest-bearing)")]
    DriftingUiAmountMint,
    #[msg("Price is not newer than the one already recorded")]
    PriceAlreadyRecorded,
    #[msg("Collateral weight leaves a haircut below the spot shock plus confidence")]
    CollateralHaircutTooSmall,
    // --- liquidation (docs/liquidation.md) ---
    #[msg("Account is not liquidatable: equity at maintenance is not below zero")]
    NotLiquidatable,
    #[msg("Account is not being liquidated")]
    AccountNotLiquidating,
    #[msg("The keeper tip cannot go to the liquidated account itself")]
    TipToLiquidatedAccount,
    #[msg("A writer account cannot bid on itself")]
    SelfBid,
    #[msg("Bidder account is not active (liquidating or bankrupt)")]
    BidderNotActive,
    #[msg("Fraction must be in (0, 1] at 12 decimals")]
    InvalidBidFraction,
    #[msg("Fraction above the maximum that restores the end level")]
    FractionAboveMaximum,
    #[msg("Account is already at or above the end level: end the liquidation instead")]
    AccountAboveEndLevel,
    #[msg("Payment exceeds the bidder's payment limit")]
    PaymentLimitExceeded,
    #[msg("Insurance fund holds less than the bid needs from it")]
    InsuranceFundInsufficient,
    #[msg("Bidder would stand below initial margin after the bid")]
    BidderBelowInitialMargin,
    #[msg("Bid would lower the liquidated account's equity at the end level")]
    BidLoweredEndEquity,
    #[msg("Account is still below the end level")]
    StillBelowEndLevel,
    #[msg("Account still holds collateral worth more than dust, or not priced now: sell it in the auction first")]
    BankruptWithCollateral,
    #[msg("Account has no short positions to make unbacked")]
    BankruptWithoutShorts,
    #[msg("Insurance fund can still pay for the whole account")]
    InsuranceFundCanPay,
    #[msg("Series accounts do not match the account's positions")]
    SeriesAccountsMismatch,
    // --- insurance staking (docs/insurance.md) ---
    #[msg("Stake is too small to mint a share")]
    StakeTooSmall,
    #[msg("Signer is not the stake's owner")]
    NotStakeOwner,
    #[msg("Stake account belongs to another insurance fund")]
    WrongInsuranceStake,
    #[msg("An unstake request is already pending")]
    UnstakeAlreadyRequested,
    #[msg("No unstake request is pending")]
    NoUnstakeRequest,
    #[msg("More shares than the stake holds")]
    InsufficientShares,
    #[msg("Unstake cooldown is not over")]
    UnstakeCooldownNotOver,
    #[msg("Unstake request lapsed: its window after the cooldown has passed")]
    UnstakeRequestLapsed,
    // --- governance (docs/governance.md) ---
    #[msg("Old and new governed values are of different kinds")]
    ChangeKindMismatch,
    #[msg("The change leaves the value as it is")]
    NoChange,
    #[msg("The change moves a parameter by more than one step")]
    ChangeStepTooLarge,
    #[msg("This parameter was tightened less than the tighten interval ago")]
    TightenTooSoon,
    #[msg("The target account is not the one this kind of value lives in")]
    WrongChangeTarget,
    #[msg("Parameter change account is not the expected one")]
    WrongParamChange,
    #[msg("The change is not queued (executed or cancelled)")]
    ChangeNotQueued,
    #[msg("The change's timelock is not over")]
    TimelockNotOver,
    #[msg("The target no longer holds the value the change was queued against")]
    ChangeStale,
    #[msg("Signer is neither the admin nor the guardian")]
    NotAdminOrGuardian,
    #[msg("The listing is not enabled yet (its enabling is a timelocked change)")]
    ListingNotEnabled,
    #[msg("Write would exceed the writer account's open-interest cap on this underlying")]
    WriterOpenInterestCapExceeded,
    #[msg("Vol surface update moves too far from the surface at the start of the window")]
    VolSurfaceWindowExceeded,
    // --- settlement (docs/settlement.md) ---
    #[msg("Settlement debt is already attributed to the most series an account can hold")]
    DebtMarkersFull,
    #[msg("Not expired yet")]
    NotExpired,
    #[msg("Price was published before expiry")]
    SettlementPriceBeforeExpiry,
    #[msg("Update's previous publish time is at or after expiry: it is not the first update at or after expiry")]
    SettlementPriceNotFirstAfterExpiry,
    #[msg("The settlement price at this expiry is already final")]
    SettlementPriceAlreadyFinal,
    #[msg("Update is not the one after the last update passed over (previous publish time differs, or not later)")]
    SettlementPriceNotNextUpdate,
    #[msg("Settlement price is not final yet")]
    SettlementPriceNotFinal,
    #[msg("Settlement price account does not match the series")]
    WrongSettlementPrice,
    #[msg("Series is already settled")]
    SeriesAlreadySettled,
    #[msg("Series is not settled yet")]
    SeriesNotSettled,
    #[msg("Account has an expired position awaiting settlement")]
    PositionAwaitingSettlement,
    #[msg("Account has no short in this series")]
    NoShortInSeries,
    #[msg("Series still has writer shorts to settle")]
    SeriesHasUnsettledShorts,
    #[msg("Series still has writers with unresolved settlement debt")]
    SeriesHasOpenDebts,
    #[msg("Series has no shortfall to cover")]
    NoShortfall,
    #[msg("Backstop auction already opened")]
    BackstopAlreadyOpen,
    #[msg("No backstop auction is open for this series")]
    BackstopNotOpen,
    #[msg("Backstop auction window has closed")]
    BackstopClosed,
    #[msg("Backstop auction window is still open")]
    BackstopStillOpen,
    #[msg("Backstop share price is above the buyer's limit")]
    BackstopPriceAboveLimit,
    #[msg("Series is already finalized")]
    SeriesAlreadyFinalized,
    #[msg("Series is not finalized yet")]
    SeriesNotFinalized,
    #[msg("Series holds no dust beyond its remaining tokens' final payout")]
    NoSeriesDust,
    #[msg("Account has no settlement debt markers")]
    NoDebt,
    #[msg("Account in debt still holds collateral worth more than dust, or not priced now: repay or sell it first")]
    DebtWithCollateral,
    #[msg("Account still has positions")]
    AccountHasPositions,
    #[msg("Debt grace period is not over")]
    DebtGraceNotOver,
    #[msg("Holder's token account holds fewer option tokens than asked")]
    InsufficientOptionTokens,
    #[msg("The account's settlement debt is still outstanding: its collateral sale goes on")]
    DebtStillOutstanding,
    // --- default waterfall v2 (docs/liquidation.md, docs/settlement.md) ---
    #[msg("Account has open settlement debt markers: repay the debt and resolve_debt first")]
    SettlementDebtOpen,
    #[msg("Account is solvent at mark: a bid can buy it without the insurance fund")]
    AccountSolvent,
    #[msg("Liquidation records the prices it uses: pass the layout's underlyings writable")]
    UnderlyingNotWritable,
    // --- insurance fund v2 (docs/insurance.md) ---
    #[msg("Pass every underlying ledger of the clearing house, as many as its underlying_count")]
    UnderlyingLedgerCountMismatch,
    #[msg("An underlying ledger is passed twice")]
    DuplicateUnderlyingLedger,
    #[msg("The insurance fund's shares would exceed u64: stake or buy less")]
    ShareSupplyExceeded,
    // --- long positions (docs/protocol.md section 5) ---
    #[msg("Writer account has a smaller long in this series than requested")]
    InsufficientLong,
    #[msg("Account has no long in this series")]
    NoLongInSeries,
    // --- writer vaults (docs/vaults.md) ---
    #[msg("Vault policy outside its bounds (kinds, tenor window, strike band, utilisation, spread, cooldown, cap)")]
    VaultPolicyInvalid,
    #[msg("Writer account is not this vault's")]
    WrongVaultWriterAccount,
    #[msg("Share mint is not this vault's")]
    WrongShareMint,
    #[msg("Withdrawal request belongs to another vault")]
    WrongVaultWithdrawal,
    #[msg("Signer does not own this withdrawal request")]
    NotWithdrawalOwner,
    #[msg("Series is not on the vault's underlying")]
    VaultUnderlyingMismatch,
    #[msg("Vault policy does not sell this kind of option")]
    VaultKindNotAllowed,
    #[msg("Series' time to expiry is outside the vault's tenor window")]
    VaultTenorOutOfPolicy,
    #[msg("Series' strike is outside the vault's band around spot")]
    VaultStrikeOutOfPolicy,
    #[msg("Sale would take the vault above its maximum utilisation of IM")]
    VaultUtilisationExceeded,
    #[msg("Vault's price is above the buyer's max_price")]
    VaultPriceAboveLimit,
    #[msg("Vault's price is below the holder's min_price")]
    VaultPriceBelowLimit,
    #[msg("Deposit would take the vault's value above its deposit cap")]
    VaultDepositCapExceeded,
    #[msg("Vault's value at mark is not positive: no deposit can be priced")]
    VaultNavNotPositive,
    #[msg("First deposit into a vault must exceed its locked shares")]
    VaultFirstDepositTooSmall,
    #[msg("Deposit is worth less than one share")]
    VaultDepositTooSmall,
    #[msg("Withdrawal request has not matured yet")]
    VaultWithdrawalNotMature,
    #[msg("Paying the withdrawal would take the vault's account below IM: it stays queued")]
    VaultWithdrawalBelowMargin,
    #[msg("Exercise style must be 0 (European) or 1 (American)")]
    InvalidExerciseStyle,
    #[msg("Series is European: it is exercised only at expiry, by settlement")]
    SeriesNotAmerican,
    #[msg("Exercise window closed: the series is within its exercise cut-off of expiry")]
    ExerciseWindowClosed,
    #[msg("Option is out of the money at this price: exercising it pays nothing")]
    ExerciseOutOfTheMoney,
    #[msg("Exercise must leave at least one writers' short contract outstanding")]
    ExerciseExceedsWriterShorts,
    #[msg("An American short has an exercise to accrue: call accrue_exercise first")]
    ExerciseNotAccrued,
    #[msg("The short's exercise accrual is already current")]
    ExerciseAlreadyAccrued,
}

/// Each risk-engine refusal maps to its own program error.
impl From<greekhouse_risk::RiskError> for GreekhouseError {
    fn from(e: greekhouse_risk::RiskError) -> Self {
        use greekhouse_risk::RiskError as R;
        match e {
            R::Overflow => GreekhouseError::MathOverflow,
            R::DivisionByZero => GreekhouseError::RiskDivisionByZero,
            R::DomainError => GreekhouseError::RiskDomain,
            R::NonPositivePrice => GreekhouseError::RiskNonPositivePrice,
            R::InvalidVolatility => GreekhouseError::RiskInvalidVolatility,
            R::InvalidRate => GreekhouseError::RiskInvalidRate,
            R::InvalidSurface => GreekhouseError::InvalidVolSurface,
            R::UnknownUnderlying => GreekhouseError::MarginAccountsMismatch,
            R::TooManyUnderlyings => GreekhouseError::RiskTooManyUnderlyings,
            R::InvalidMarginParams => GreekhouseError::MarginLevelsOutOfOrder,
            R::InvalidAuctionParams => GreekhouseError::RiskInvalidAuctionParams,
            R::InvalidFraction => GreekhouseError::RiskInvalidFraction,
            R::InvalidCollateralWeight => GreekhouseError::CollateralHaircutTooSmall,
        }
    }
}
