/*
 * driverapi fixture: a header no unit includes. Original code written for Parascope's tests.
 */
#ifndef FIXTURE_UNUSED_NUB_H
#define FIXTURE_UNUSED_NUB_H

// class NotAClass : public IOService { };  (a comment declares nothing)
class FixtureUnusedNub : public IOPCIDevice {
	int slot;
};

#endif
